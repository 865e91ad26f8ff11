import assert from "node:assert/strict";
import { test } from "node:test";

import { followingKey, inTextOrder, keyOf, openOnes, stepKey } from "../src/picking.js";

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
