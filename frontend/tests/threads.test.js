import { test } from "node:test";
import assert from "node:assert/strict";

import { Threads } from "../src/threads.js";

test("comments are threaded by span, the article's under null", () => {
  const threads = new Threads([
    { id: 1, span: null, body: "about the article" },
    { id: 2, span: 7, body: "about span 7" },
    { id: 3, span: 7, body: "reply" },
  ]);
  assert.deepEqual(threads.of(null).map((c) => c.id), [1]);
  assert.deepEqual(threads.of(undefined).map((c) => c.id), [1]);
  assert.deepEqual(threads.of(7).map((c) => c.id), [2, 3]);
  assert.equal(threads.count(8), 0);
  threads.add({ id: 3, span: 7, body: "edited" });
  assert.equal(threads.of(7)[1].body, "edited");
  threads.remove(2);
  assert.deepEqual(threads.of(7).map((c) => c.id), [3]);
});
