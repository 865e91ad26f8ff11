import assert from "node:assert/strict";
import { test } from "node:test";

import { onPanelKey } from "../src/shortcuts.js";

function panels() {
  const toggled = [];
  return { toggled, keys: { toggle: () => toggled.push("keys") }, guidelines: { toggle: () => toggled.push("guidelines") } };
}

function press(key, shiftKey = false) {
  return { key, shiftKey, prevented: false, preventDefault() { this.prevented = true; } };
}

test("? toggles the key map and Shift+G the guidelines; other keys pass through", () => {
  const p = panels();
  const events = [press("?", true), press("G", true), press("g"), press("G"), press("x", true)];
  assert.deepEqual(events.map((e) => onPanelKey(e, p)), [true, true, false, false, false]);
  assert.deepEqual(p.toggled, ["keys", "guidelines"]);
  assert.deepEqual(events.map((e) => e.prevented), [true, true, false, false, false]);
});
