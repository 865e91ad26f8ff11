import { test } from "node:test";
import assert from "node:assert/strict";

import { refusal } from "../src/rules.js";

const spans = [
  { client_id: "a", label: "loaded", start: 0, end: 10 },
  { client_id: "b", label: "doubt", start: 20, end: 30 },
];

test("an identical span is refused, whatever the overlap rule", () => {
  for (const allowOverlap of [true, false]) {
    const found = refusal(spans, { label: "loaded", start: 0, end: 10 }, { allowOverlap });
    assert.equal(found.reason, "identical");
    assert.equal(found.other.client_id, "a");
  }
});

test("overlaps are refused only where the project forbids them", () => {
  const candidate = { label: "doubt", start: 5, end: 12 };
  assert.equal(refusal(spans, candidate, { allowOverlap: true }), null);
  assert.deepEqual(refusal(spans, candidate, { allowOverlap: false }), { reason: "overlap", other: spans[0] });
  // Touching is not overlapping: [10, 20) fits between the two.
  assert.equal(refusal(spans, { label: "x", start: 10, end: 20 }, { allowOverlap: false }), null);
});

test("a span being changed does not clash with itself", () => {
  const relabel = { client_id: "a", label: "loaded", start: 0, end: 10 };
  assert.equal(refusal(spans, relabel, { allowOverlap: false }), null);
  const moved = { client_id: "a", label: "loaded", start: 0, end: 25 };
  assert.equal(refusal(spans, moved, { allowOverlap: false }).other.client_id, "b");
  const sameAsB = { client_id: "a", label: "doubt", start: 20, end: 30 };
  assert.equal(refusal(spans, sameAsB, { allowOverlap: true }).reason, "identical");
});

test("an identical span wins over an earlier overlap in the reason", () => {
  const layer = [
    { client_id: "x", label: "a", start: 0, end: 8 },
    { client_id: "y", label: "b", start: 2, end: 6 },
  ];
  assert.equal(refusal(layer, { label: "b", start: 2, end: 6 }, { allowOverlap: false }).reason, "identical");
});
