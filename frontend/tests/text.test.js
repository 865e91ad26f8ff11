import { test } from "node:test";
import assert from "node:assert/strict";

import { humanizeDetail, isolate, offsetsText, plural, progressText } from "../src/text.js";

test("plural says 1 change and 3 changes (#14: '1 changes waiting')", () => {
  assert.equal(plural(1, "change"), "1 change");
  assert.equal(plural(0, "change"), "0 changes");
  assert.equal(plural(3, "change"), "3 changes");
  assert.equal(plural(2, "family", "families"), "2 families");
});

test("progress keeps skipped apart from done", () => {
  assert.equal(progressText({ done: 2, skipped: 0, total: 5 }), "2 of 5 done");
  assert.equal(progressText({ done: 2, skipped: 1, total: 5 }), "2 of 5 done, 1 skipped");
  assert.equal(progressText({ done: 0, skipped: 0, total: 0 }), "");
  assert.equal(progressText(undefined), "");
});

test("isolate wraps user text in FSI ... PDI", () => {
  assert.equal(isolate("עברית"), "\u2068עברית\u2069");
  assert.equal(isolate(null), "\u2068\u2069");
  assert.equal(offsetsText({ start: 3, end: 10 }), "[3, 10)");
});

test("server errors name labels, not keys", () => {
  const labels = new Map([["loaded_language", { name: "Loaded Language" }]]);
  const body = { start: ["An identical span (loaded_language at [4, 9)) already exists in this layer (id 7)."] };
  assert.equal(
    humanizeDetail(body, labels),
    "An identical span (Loaded Language at [4, 9)) already exists in this layer (id 7).",
  );
  assert.equal(humanizeDetail("plain", labels), "plain");
  assert.equal(humanizeDetail({ a: [{ b: "nested" }] }, new Map()), "nested");
});
