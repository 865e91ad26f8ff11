import assert from "node:assert/strict";
import { test } from "node:test";

import { followingKey, inTextOrder, keyOf, onPickKey, openOnes, stepKey } from "../src/picking.js";

const rec = (start, end, label, score = 0.5) => ({ start, end, label, score });
const A = rec(0, 5, "doubt");
const B = rec(10, 14, "loaded_language", 0.9);
const B2 = rec(10, 14, "name_calling", 0.4);
const C = rec(20, 30, "doubt");

test("text order, then the best score first at the same range", () => {
  assert.deepEqual(inTextOrder([C, B2, A, B]).map(keyOf), [A, B, B2, C].map(keyOf));
});

test("a span at the exact range takes every label there; a rejection only its own", () => {
  const open = openOnes([A, B, B2, C], [{ start: 10, end: 14 }, { start: 20, end: 29 }], new Set([keyOf(A)]));
  assert.deepEqual(open.map(keyOf), [keyOf(C)]);
});

test(". and , wrap around and start from either end with nothing picked", () => {
  const open = [A, B, C];
  assert.equal(stepKey(open, null, 1), keyOf(A));
  assert.equal(stepKey(open, null, -1), keyOf(C));
  assert.equal(stepKey(open, keyOf(C), 1), keyOf(A));
  assert.equal(stepKey(open, keyOf(A), -1), keyOf(C));
  assert.equal(stepKey([], null, 1), null);
});

test("after an accept or a reject the next one is picked, else the previous", () => {
  assert.equal(followingKey([A, B, C], keyOf(B)), keyOf(C));
  assert.equal(followingKey([A, B, C], keyOf(C)), keyOf(B));
  assert.equal(followingKey([A], keyOf(A)), null);
  assert.equal(followingKey([A], "gone"), null);
});

test("onPickKey: steps, accepts as its label or a hotkey's, drops, lets go", () => {
  const done = [];
  const list = (picked) => ({
    next: ".",
    previous: ",",
    canStep: true,
    picked,
    labels: new Set(["doubt", "slogans"]),
    hotkeys: new Map([["s", "slogans"]]),
    step: (d) => done.push(["step", d]),
    accept: (item, label) => done.push(["accept", item.label, label]),
    drop: (item) => done.push(["drop", item.label]),
    letGo: () => done.push(["let go"]),
  });
  const key = (k) => ({ key: k, prevented: false, preventDefault() { this.prevented = true; } });
  const item = { label: "doubt" };
  const events = [".", ",", "Enter", "Y", "s", "x", "Escape", "q"].map(key);
  const handled = events.map((e) => onPickKey(e, list(item)));
  assert.deepEqual(handled, [true, true, true, true, true, true, false, false]);
  assert.deepEqual(done, [
    ["step", 1], ["step", -1], ["accept", "doubt", "doubt"], ["accept", "doubt", "doubt"],
    ["accept", "doubt", "slogans"], ["drop", "doubt"], ["let go"],
  ]);
  assert.deepEqual(events.map((e) => e.prevented), [true, true, true, true, true, true, false, false]);
  // Nothing picked: only stepping is ours; an unknown label is not accepted.
  assert.equal(onPickKey(key("y"), list(undefined)), false);
  assert.equal(onPickKey(key("."), { ...list(undefined), canStep: false }), false);
  done.length = 0;
  assert.equal(onPickKey(key("Enter"), list({ label: "gone" })), true);
  assert.deepEqual(done, []);
});
