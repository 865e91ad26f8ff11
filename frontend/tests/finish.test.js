import { test } from "node:test";
import assert from "node:assert/strict";

import { PendingFinish } from "../src/finish.js";
import { FakeClock } from "./fakes.js";

function setUp() {
  const clock = new FakeClock();
  const committed = [];
  const shown = [];
  const pending = new PendingFinish({
    delayMs: 3000,
    clock,
    onCommit: (action) => committed.push(action),
    onChange: (state) => shown.push(state && `${state.action} ${state.secondsLeft}`),
  });
  return { clock, committed, shown, pending };
}

test("Done waits, counting down, then happens", () => {
  const { clock, committed, shown, pending } = setUp();
  pending.request("complete");
  assert.equal(pending.pending, "complete");
  clock.fireNext();
  clock.fireNext();
  assert.deepEqual(committed, []);
  clock.fireNext();
  assert.deepEqual(committed, ["complete"]);
  assert.deepEqual(shown, ["complete 3", "complete 2", "complete 1", null]);
  assert.equal(pending.pending, null);
});

test("undo within the delay: nothing happens", () => {
  const { clock, committed, pending } = setUp();
  pending.request("skip");
  clock.fireNext();
  assert.equal(pending.undo(), true);
  assert.equal(clock.pendingDelays().length, 0);
  assert.deepEqual(committed, []);
  assert.equal(pending.undo(), false);
});

test("now() carries it out at once; asking again switches the action", () => {
  const { clock, committed, pending } = setUp();
  pending.request("complete");
  pending.request("skip");
  assert.equal(clock.pendingDelays().length, 1);
  assert.equal(pending.now(), true);
  assert.deepEqual(committed, ["skip"]);
  assert.equal(pending.now(), false);
});
