import { test } from "node:test";
import assert from "node:assert/strict";

import { inlineTag, labelsInUse } from "../src/legend.js";

const labels = new Map([
  ["b", { key: "b", name: "Bravo", colour: "#00ff00", order: 2 }],
  ["a", { key: "a", name: "Alpha", colour: "#ff0000", order: 1 }],
]);

test("the legend lists the labels in use in palette order with counts", () => {
  const spans = [{ label: "b" }, { label: "a" }, { label: "b" }, { label: "gone" }];
  assert.deepEqual(labelsInUse(spans, labels), [
    { key: "a", name: "Alpha", colour: "#ff0000", count: 1 },
    { key: "b", name: "Bravo", colour: "#00ff00", count: 2 },
    { key: "gone", name: "gone", colour: undefined, count: 1 },
  ]);
  assert.deepEqual(labelsInUse([], labels), []);
});

test("a label's name is tagged once, where its span starts, innermost first", () => {
  const spans = new Map([
    ["outer", { start: 0, label: "a" }],
    ["inner", { start: 0, label: "b" }],
    ["later", { start: 5, label: "a" }],
  ]);
  const nameOf = (key) => labels.get(key).name;
  const spanOf = (id) => spans.get(id);
  // ids by level: outermost first.
  assert.equal(inlineTag({ start: 0 }, ["outer", "inner"], spanOf, nameOf), "Bravo · Alpha");
  assert.equal(inlineTag({ start: 5 }, ["outer", "later"], spanOf, nameOf), "Alpha");
  assert.equal(inlineTag({ start: 3 }, ["outer"], spanOf, nameOf), "");
});
