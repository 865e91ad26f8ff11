import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { MemoryStorage, SaveQueue, fieldsOf, newClientId } from "../src/queue.js";
import { FakeClock, FakeServer } from "./fakes.js";

function makeQueue(storage, extra = {}) {
  const clock = new FakeClock();
  const statuses = [];
  const conflicts = [];
  const errors = [];
  const acks = [];
  const queue = new SaveQueue({
    storage,
    clock,
    random: () => 0.5,
    onStatus: (s) => statuses.push(s),
    onConflict: (c) => conflicts.push(c),
    onError: (e) => errors.push(e),
    onAck: (op, r) => acks.push([op, r]),
    ...extra,
  });
  return { queue, clock, statuses, conflicts, errors, acks };
}

const create = (id, fields = {}) => ({
  op: "create",
  client_id: id,
  article: 7,
  label: "loaded_language",
  start: 3,
  end: 9,
  text: "👨‍👩‍👧 fam",
  ...fields,
});

describe("queue: persistence", () => {
  test("queued operations survive a reload (a new queue on the same storage)", () => {
    const storage = new MemoryStorage();
    const { queue } = makeQueue(storage);
    queue.enqueue(create("a"));
    queue.enqueue({ op: "update", client_id: "b", version: 3, note: "Ça va ✓" });
    const reloaded = makeQueue(storage).queue;
    assert.deepEqual(reloaded.pending(), queue.pending());
    assert.equal(reloaded.size, 2);
    assert.equal(reloaded.pending()[0].text, "👨‍👩‍👧 fam");
    // New operations after the reload keep coalescing with the stored ones.
    reloaded.enqueue({ op: "delete", client_id: "b", version: 3 });
    assert.deepEqual(makeQueue(storage).queue.pending()[1], {
      op: "delete",
      client_id: "b",
      version: 3,
    });
  });

  test("an unreadable stored queue is kept aside, not silently dropped", () => {
    const storage = new MemoryStorage();
    storage.setItem("annotator.saveQueue", "{not json");
    const { queue } = makeQueue(storage);
    assert.equal(queue.size, 0);
    assert.equal(storage.getItem("annotator.saveQueue.corrupt"), "{not json");
    assert.match(queue.status().lastError, /unreadable/);
  });

  test("a storage that refuses writes is reported as not durable", () => {
    const storage = new MemoryStorage();
    storage.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    const { queue, statuses } = makeQueue(storage);
    queue.enqueue(create("a"));
    assert.equal(queue.size, 1);
    assert.equal(statuses.at(-1).durable, false);
    assert.match(statuses.at(-1).lastError, /Quota/);
  });

  test("bad operations are refused and nothing is stored", () => {
    const storage = new MemoryStorage();
    const { queue } = makeQueue(storage);
    assert.throws(() => queue.enqueue({ op: "upsert", client_id: "a" }), /op must be/);
    assert.throws(() => queue.enqueue({ op: "create" }), /client_id/);
    assert.equal(storage.getItem("annotator.saveQueue"), null);
  });
});

describe("queue: coalescing", () => {
  const cases = [
    [
      "create then update -> one create with the new fields",
      [create("a"), { op: "update", client_id: "a", version: 1, end: 12, note: "n" }],
      [{ ...create("a"), end: 12, note: "n" }],
    ],
    ["create then delete -> nothing", [create("a"), { op: "delete", client_id: "a" }], []],
    [
      "update then update -> one update on the first version",
      [
        { op: "update", client_id: "a", version: 4, label: "x" },
        { op: "update", client_id: "a", version: 4, note: "y" },
      ],
      [{ op: "update", client_id: "a", version: 4, label: "x", note: "y" }],
    ],
    [
      "update then delete -> delete",
      [
        { op: "update", client_id: "a", version: 4, id: 9, label: "x" },
        { op: "delete", client_id: "a", version: 4 },
      ],
      [{ op: "delete", client_id: "a", version: 4, id: 9 }],
    ],
    [
      "delete then create (undo) -> update back to the created fields",
      [{ op: "delete", client_id: "a", version: 2 }, create("a")],
      [{ ...fieldsOf(create("a")), op: "update", client_id: "a", version: 2 }],
    ],
    [
      "other spans are not touched and keep their order",
      [create("a"), create("b"), { op: "update", client_id: "a", end: 4 }, create("c")],
      [{ ...create("a"), end: 4 }, create("b"), create("c")],
    ],
  ];
  for (const [name, ops, expected] of cases) {
    test(name, () => {
      const { queue } = makeQueue(new MemoryStorage());
      ops.forEach((op) => queue.enqueue(op));
      assert.deepEqual(queue.pending(), expected);
    });
  }

  test("impossible sequences throw", () => {
    const { queue } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    assert.throws(() => queue.enqueue(create("a")), /cannot queue create after create/);
    queue.enqueue({ op: "delete", client_id: "b", version: 1 });
    assert.throws(() => queue.enqueue({ op: "update", client_id: "b" }), /after delete/);
  });

  test("the caller's object is copied, later mutation does not change the queue", () => {
    const { queue } = makeQueue(new MemoryStorage());
    const op = create("a");
    queue.enqueue(op);
    op.end = 99;
    assert.equal(queue.pending()[0].end, 9);
  });
});

describe("queue: flushing", () => {
  test("network failure, then success: each operation reaches the server once", async () => {
    const storage = new MemoryStorage();
    const server = new FakeServer();
    const { queue, clock, statuses } = makeQueue(storage);
    queue.enqueue(create("a"));
    queue.enqueue(create("b", { start: 20, end: 25 }));
    server.down = true;

    const first = await queue.flush(server.send);
    assert.deepEqual(first, { acknowledged: 0, conflicts: 0, errors: 0, failed: true });
    assert.equal(queue.size, 2);
    assert.equal(makeQueue(storage).queue.size, 2); // still stored
    assert.deepEqual(
      { state: statuses.at(-1).state, pending: statuses.at(-1).pending },
      { state: "offline", pending: 2 },
    );
    assert.deepEqual(clock.pendingDelays(), [750]); // 1000 ms, equal jitter with random 0.5

    server.down = false;
    clock.fireNext(); // the scheduled retry
    await queue.whenIdle();
    assert.deepEqual(
      server.received.map((op) => op.client_id),
      ["a", "b"],
    );
    assert.equal(server.spans.size, 2);
    assert.equal(queue.size, 0);
    assert.equal(makeQueue(storage).queue.size, 0);
    assert.equal(statuses.at(-1).state, "saved");
    assert.deepEqual(clock.pendingDelays(), []);
  });

  test("backoff doubles up to the cap, with jitter, and resets after a success", async () => {
    const server = new FakeServer();
    server.down = true;
    let r = 0;
    const randoms = [0, 0.999, 0, 0, 0, 0, 0];
    const { queue, clock } = makeQueue(new MemoryStorage(), {
      random: () => randoms[r++],
      backoff: { initialMs: 100, maxMs: 500 },
    });
    queue.enqueue(create("a"));
    const delays = [];
    await queue.flush(server.send);
    for (let i = 0; i < 5; i++) {
      delays.push(clock.pendingDelays()[0]);
      clock.fireNext();
      await queue.whenIdle();
    }
    // Bases 100, 200, 400, 500, 500 ms; each delay between half the base and the base.
    assert.deepEqual(delays, [50, 200, 200, 250, 250]);
    server.down = false;
    clock.fireNext();
    await queue.whenIdle();
    assert.equal(queue.size, 0);
    queue.enqueue(create("b"));
    server.down = true;
    await queue.flush(server.send);
    assert.deepEqual(clock.pendingDelays(), [50]);
  });

  test("status goes saving -> offline -> saved with honest counts", async () => {
    const server = new FakeServer();
    const { queue, clock, statuses } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    queue.enqueue(create("b"));
    queue.enqueue(create("c"));
    server.down = true;
    await queue.flush(server.send);
    server.down = false;
    clock.fireNext();
    await queue.whenIdle();
    const seen = statuses.map((s) => `${s.state}:${s.pending}`);
    assert.deepEqual(seen.filter((s, i) => s !== seen[i - 1]), [
      "saving:1",
      "saving:2",
      "saving:3",
      "offline:3", // retries happen while offline: no flicker back to "saving"
      "saved:0",
    ]);
  });

  test("partial results: only acknowledged operations leave the queue", async () => {
    const storage = new MemoryStorage();
    const { queue, clock } = makeQueue(storage);
    ["a", "b", "c"].forEach((id) => queue.enqueue(create(id)));
    const calls = [];
    const summary = await queue.flush(async (ops) => {
      calls.push(ops.map((o) => o.client_id));
      return [{ client_id: "b", status: "ok", span: { id: 2, version: 1 } }];
    });
    assert.equal(summary.acknowledged, 1);
    assert.equal(summary.failed, true);
    assert.deepEqual(queue.pending().map((o) => o.client_id), ["a", "c"]);
    assert.deepEqual(makeQueue(storage).queue.pending().map((o) => o.client_id), ["a", "c"]);
    // The unanswered rest is sent again at once; a round answering nothing backs off.
    assert.deepEqual(calls, [["a", "b", "c"], ["a", "c"]]);
    assert.equal(clock.pendingDelays().length, 1, "the rest is retried later");
  });

  test("a batch rejected for one operation: the others are sent again at once", async () => {
    // What api.js does when the sync endpoint refuses a batch (all or nothing) for one conflict:
    // a result for the culprit only.
    const server = new FakeServer();
    server.spans.set("b", { id: 1, label: "x", version: 2 });
    const { queue, clock, statuses, conflicts } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    queue.enqueue({ op: "update", client_id: "b", version: 1, label: "y" });
    queue.enqueue(create("c"));
    const allOrNothing = async (ops) => {
      const culprit = ops.find((op) => op.version !== undefined && op.version !== 2);
      if (culprit) return [{ client_id: culprit.client_id, status: "conflict", detail: "stale" }];
      return server.send(ops);
    };
    const summary = await queue.flush(allOrNothing);
    assert.deepEqual(summary, { acknowledged: 2, conflicts: 1, errors: 0, failed: false });
    assert.deepEqual([...server.spans.keys()].sort(), ["a", "b", "c"]);
    assert.equal(conflicts[0].local.client_id, "b");
    assert.deepEqual(clock.pendingDelays(), []);
    assert.ok(statuses.every((st) => st.state !== "offline"));
    assert.equal(statuses.at(-1).state, "saved");
  });

  test("operations keep their order across batches", async () => {
    const server = new FakeServer();
    const { queue } = makeQueue(new MemoryStorage(), { maxBatch: 2 });
    const ids = ["a", "b", "c", "d", "e"];
    ids.forEach((id) => queue.enqueue(create(id)));
    queue.enqueue({ op: "update", client_id: "b", note: "folded into the create" });
    await queue.flush(server.send);
    assert.equal(server.requests, 3);
    assert.deepEqual(server.received.map((op) => op.client_id), ids);
    assert.equal(server.spans.get("b").note, "folded into the create");
  });

  test("concurrent flushes are serialized and nothing is sent twice", async () => {
    const server = new FakeServer();
    const { queue } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    const one = queue.flush(server.send);
    queue.enqueue(create("b"));
    const two = queue.flush(server.send);
    const three = queue.flush(server.send);
    await Promise.all([one, two, three]);
    assert.equal(server.maxActive, 1);
    assert.deepEqual(server.received.map((op) => op.client_id).sort(), ["a", "b"]);
  });

  test("a change made while its create is in flight is sent next, rebased", async () => {
    const server = new FakeServer();
    const { queue, acks } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    let sending;
    const onItsWay = new Promise((resolve) => (sending = resolve));
    const flushing = queue.flush((ops) => {
      sending();
      return server.send(ops);
    });
    await onItsWay;
    assert.throws(() => queue.enqueue(create("a")), /cannot queue create after create/);
    // The request is on its way: this update must not be folded into it.
    queue.enqueue({ op: "update", client_id: "a", note: "second thought" });
    assert.equal(queue.size, 2);
    await flushing;
    assert.deepEqual(server.received.map((op) => op.op), ["create", "update"]);
    assert.equal(server.received[1].version, 1, "rebased on the acknowledged create");
    assert.equal(server.received[1].id, server.spans.get("a").id);
    assert.deepEqual(server.spans.get("a").note, "second thought");
    assert.equal(server.spans.get("a").version, 2);
    assert.deepEqual(acks.map(([op, r]) => [op.op, r.span.version]), [
      ["create", 1],
      ["update", 2],
    ]);
  });

  test("after a failed send, a span's two queued operations go in separate batches", async () => {
    const server = new FakeServer();
    const { queue, clock } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a"));
    server.down = true;
    const batches = [];
    const send = (ops) => {
      batches.push(ops.map((op) => `${op.op} ${op.client_id} v${op.version}`));
      if (batches.length === 1) queue.enqueue({ op: "update", client_id: "a", note: "later" });
      return server.send(ops);
    };
    await queue.flush(send);
    assert.deepEqual(queue.pending().map((op) => op.op), ["create", "update"]);
    server.down = false;
    clock.fireNext();
    await queue.whenIdle();
    assert.deepEqual(batches, [
      ["create a vundefined"],
      ["create a vundefined"],
      ["update a v1"],
    ]);
    assert.equal(server.spans.get("a").note, "later");
    assert.equal(queue.size, 0);
  });

  test("a conflict is handed to the UI once and not retried", async () => {
    const server = new FakeServer();
    server.spans.set("a", { id: 1, start: 0, end: 4, label: "x", version: 5 });
    const { queue, clock, conflicts } = makeQueue(new MemoryStorage());
    queue.enqueue({ op: "update", client_id: "a", version: 4, label: "y" });
    queue.enqueue(create("b"));
    const summary = await queue.flush(server.send);
    assert.deepEqual(summary, { acknowledged: 1, conflicts: 1, errors: 0, failed: false });
    assert.equal(conflicts.length, 1);
    assert.deepEqual(conflicts[0].local, { op: "update", client_id: "a", version: 4, label: "y" });
    assert.equal(conflicts[0].server.version, 5);
    assert.equal(conflicts[0].server.label, "x");
    assert.equal(queue.size, 0);
    assert.deepEqual(clock.pendingDelays(), []);
    await queue.flush(server.send);
    assert.equal(server.received.length, 2, "the conflicting update is not sent again");
    assert.equal(conflicts.length, 1);
  });

  test("to keep the local version after a conflict, update on the server's version", async () => {
    const server = new FakeServer();
    server.spans.set("a", { id: 1, label: "x", version: 5 });
    const { queue, conflicts } = makeQueue(new MemoryStorage());
    queue.enqueue({ op: "update", client_id: "a", version: 4, label: "y" });
    await queue.flush(server.send);
    const { local, server: theirs } = conflicts[0];
    queue.enqueue({ ...local, version: theirs.version });
    await queue.flush(server.send);
    assert.equal(server.spans.get("a").label, "y");
    assert.equal(server.spans.get("a").version, 6);
  });

  test("a replay of an update whose answer was lost (reload) counts as saved", async () => {
    const storage = new MemoryStorage();
    const server = new FakeServer();
    server.spans.set("a", { id: 1, label: "x", version: 1 });
    const { queue } = makeQueue(storage);
    queue.enqueue({ op: "update", client_id: "a", version: 1, label: "y" });
    // The server applies the batch, but the page is closed before the answer arrives.
    await server.send(queue.pending());
    const { queue: reloaded, conflicts, acks } = makeQueue(storage);
    const summary = await reloaded.flush(server.send);
    assert.equal(summary.acknowledged, 1);
    assert.deepEqual(conflicts, []);
    assert.equal(acks.length, 1);
    assert.equal(server.spans.get("a").version, 2);
  });

  test("errors: permanent ones go to the UI, retryable ones stay queued", async () => {
    const { queue, errors, clock } = makeQueue(new MemoryStorage());
    queue.enqueue(create("a", { end: 1 }));
    queue.enqueue(create("b"));
    const summary = await queue.flush(async () => [
      { client_id: "a", status: "error", detail: { end: "end must be greater than start" } },
      { client_id: "b", status: "error", detail: "database busy", retryable: true },
    ]);
    assert.equal(summary.errors, 1);
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].detail, { end: "end must be greater than start" });
    assert.equal(errors[0].local.client_id, "a");
    assert.deepEqual(queue.pending().map((o) => o.client_id), ["b"]);
    assert.equal(clock.pendingDelays().length, 1);
    assert.equal(queue.status().lastError, "database busy");
  });

  test("a UI callback that throws does not lose the queue's bookkeeping", async () => {
    const storage = new MemoryStorage();
    const server = new FakeServer();
    const original = console.error;
    const logged = [];
    console.error = (...args) => logged.push(args);
    try {
      const { queue } = makeQueue(storage, {
        onAck: () => {
          throw new Error("render failed");
        },
      });
      queue.enqueue(create("a"));
      queue.enqueue(create("b"));
      await queue.flush(server.send);
      assert.equal(queue.size, 0);
      assert.equal(makeQueue(storage).queue.size, 0);
      assert.equal(logged.length, 2);
    } finally {
      console.error = original;
    }
  });

  test("with a sendBatch option, edits are sent after a short debounce", async () => {
    const server = new FakeServer();
    const { queue, clock } = makeQueue(new MemoryStorage(), {
      sendBatch: server.send,
      debounceMs: 300,
    });
    queue.enqueue(create("a"));
    queue.enqueue({ op: "update", client_id: "a", note: "n" });
    assert.deepEqual(clock.pendingDelays(), [300]);
    clock.fireNext();
    await queue.whenIdle();
    assert.equal(server.requests, 1);
    assert.equal(server.received[0].note, "n");
    // While offline, new edits do not cut the backoff short.
    server.down = true;
    queue.enqueue(create("b"));
    clock.fireNext();
    await queue.whenIdle();
    assert.deepEqual(clock.pendingDelays(), [750]);
    queue.enqueue(create("c"));
    assert.deepEqual(clock.pendingDelays(), [750]);
    queue.stop();
    assert.deepEqual(clock.pendingDelays(), []);
  });
});

describe("queue: client ids", () => {
  test("newClientId gives distinct v4 UUIDs", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
    assert.equal(ids.size, 100);
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
