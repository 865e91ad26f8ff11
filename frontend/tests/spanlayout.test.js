import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { makeOffsetIndex } from "../src/offsets.js";
import { layoutSpans } from "../src/spanlayout.js";
import { PYTHON_OFFSETS, SAMPLE } from "./samples.js";

const span = (id, start, end) => ({ id, start, end });
const seg = (start, end, ...spans) => ({ start, end, spans });

/** Deterministic pseudo-random numbers (mulberry32), so failures can be replayed. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Properties any layout must have, checked against a brute-force count per character. */
function checkLayout(spans, length, layout) {
  const { segments, levels, depth } = layout;
  // Segments tile [0, length) in order.
  let at = 0;
  for (const s of segments) {
    assert.equal(s.start, at);
    assert.ok(s.end > s.start);
    at = s.end;
  }
  assert.equal(at, length);
  // Each segment lists exactly the spans covering it, by level.
  let maxCover = 0;
  for (const s of segments) {
    const expected = spans.filter((x) => x.start <= s.start && x.end >= s.end).map((x) => x.id);
    assert.deepEqual([...s.spans].sort(), [...expected].sort(), `segment [${s.start}, ${s.end})`);
    const lv = s.spans.map((id) => levels.get(id));
    assert.deepEqual(lv, [...lv].sort((a, b) => a - b));
    assert.equal(new Set(lv).size, lv.length, "overlapping spans share a level");
    maxCover = Math.max(maxCover, s.spans.length);
  }
  // As few levels as the deepest overlap needs.
  assert.equal(depth, maxCover);
  for (const x of spans) assert.ok(levels.get(x.id) < depth);
}

describe("spanlayout", () => {
  test("no spans: one plain segment; empty text: no segments", () => {
    assert.deepEqual(layoutSpans([], 5).segments, [seg(0, 5)]);
    assert.deepEqual(layoutSpans([], 0), {
      segments: [],
      levels: new Map(),
      depth: 0,
      invalid: [],
    });
  });

  test("overlapping spans are cut where coverage changes and stacked", () => {
    const spans = [span("a", 2, 6), span("b", 4, 9)];
    const layout = layoutSpans(spans, 10);
    assert.deepEqual(layout.segments, [
      seg(0, 2),
      seg(2, 4, "a"),
      seg(4, 6, "a", "b"),
      seg(6, 9, "b"),
      seg(9, 10),
    ]);
    assert.deepEqual([...layout.levels], [["a", 0], ["b", 1]]);
    assert.equal(layout.depth, 2);
  });

  test("a nested span stacks above the span enclosing it", () => {
    const layout = layoutSpans([span("inner", 3, 5), span("outer", 0, 8)], 8);
    assert.equal(layout.levels.get("outer"), 0);
    assert.equal(layout.levels.get("inner"), 1);
    assert.deepEqual(layout.segments, [
      seg(0, 3, "outer"),
      seg(3, 5, "outer", "inner"),
      seg(5, 8, "outer"),
    ]);
  });

  test("identical ranges (two labels on one phrase) get distinct levels", () => {
    const layout = layoutSpans([span(1, 2, 4), span(2, 2, 4), span(3, 2, 4)], 4);
    assert.deepEqual(layout.segments, [seg(0, 2), seg(2, 4, 1, 2, 3)]);
    assert.deepEqual([...layout.levels.values()], [0, 1, 2]);
  });

  test("adjacent spans touch without overlapping and share level 0", () => {
    const layout = layoutSpans([span("a", 0, 3), span("b", 3, 7), span("c", 7, 8)], 8);
    assert.deepEqual(layout.segments, [seg(0, 3, "a"), seg(3, 7, "b"), seg(7, 8, "c")]);
    assert.deepEqual([...layout.levels.values()], [0, 0, 0]);
    assert.equal(layout.depth, 1);
  });

  test("a freed lower level is reused", () => {
    // a [0,4) level 0, b [1,10) level 1; c starts after a ended: level 0 again.
    const layout = layoutSpans([span("a", 0, 4), span("b", 1, 10), span("c", 5, 7)], 10);
    assert.equal(layout.levels.get("c"), 0);
    assert.deepEqual(layout.segments[3], seg(5, 7, "c", "b"));
  });

  test("empty, reversed, out-of-range and duplicate-id spans are reported, not drawn", () => {
    const spans = [span("ok", 0, 2), span("empty", 3, 3), span("rev", 4, 1), span("far", 2, 11)];
    const layout = layoutSpans([...spans, span("ok", 1, 2)], 10);
    assert.deepEqual(layout.invalid, ["empty", "rev", "far", "ok"]);
    assert.deepEqual(layout.segments, [seg(0, 2, "ok"), seg(2, 10)]);
    assert.throws(() => layoutSpans([], -1), TypeError);
  });

  test("segments over the Unicode sample slice to exactly the stored spans' text", () => {
    const index = makeOffsetIndex(SAMPLE);
    const spans = PYTHON_OFFSETS.map(([, start, end], k) => span(k, start, end));
    spans.push(span("line1", 0, 36), span("wide", 15, 70));
    const layout = layoutSpans(spans, index.length);
    checkLayout(spans, index.length, layout);
    // Reassembling the segments gives the text back, and each span's segments give its text.
    assert.equal(layout.segments.map((s) => index.slice(s.start, s.end)).join(""), SAMPLE);
    for (const [phrase, start, end] of PYTHON_OFFSETS) {
      const k = PYTHON_OFFSETS.findIndex((p) => p[1] === start && p[2] === end);
      const pieces = layout.segments.filter((s) => s.spans.includes(k));
      assert.equal(pieces.map((s) => index.slice(s.start, s.end)).join(""), phrase);
    }
  });

  test("random layouts satisfy every property (fixed seeds)", () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const random = prng(seed);
      const length = 200;
      const spans = Array.from({ length: 60 }, (_, id) => {
        const start = Math.floor(random() * (length - 1));
        const end = start + 1 + Math.floor(random() * Math.min(40, length - start - 1));
        return span(id, start, end);
      });
      checkLayout(spans, length, layoutSpans(spans, length));
    }
  });

  test("2,000 spans over 100,000 characters", () => {
    const random = prng(7);
    const length = 100_000;
    const spans = Array.from({ length: 2000 }, (_, id) => {
      const start = Math.floor(random() * (length - 200));
      return span(id, start, start + 1 + Math.floor(random() * 200));
    });
    const layout = layoutSpans(spans, length);
    assert.equal(layout.levels.size, 2000);
    assert.ok(layout.segments.length <= 2 * 2000 + 1);
    checkLayout(spans, length, layout);
  });
});
