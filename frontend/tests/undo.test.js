import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { MemoryStorage, SaveQueue, fieldsOf } from "../src/queue.js";
import { UndoStack } from "../src/undo.js";
import { FakeClock, FakeServer } from "./fakes.js";

/**
 * A page in miniature: local spans keyed by client id, edited only through operations, with
 * every action recorded on the undo stack, as annotate.js will do it.
 */
class Page {
  constructor(queue = null) {
    this.spans = new Map();
    this.queue = queue;
    let n = 0;
    this.undo = new UndoStack({
      newClientId: () => `re-${++n}`,
      versionOf: (id) => this.spans.get(id)?.version,
    });
  }
  apply(ops) {
    for (const op of ops) {
      if (op.op === "create") this.spans.set(op.client_id, fieldsOf(op));
      else if (op.op === "delete") this.spans.delete(op.client_id);
      else Object.assign(this.spans.get(op.client_id), fieldsOf(op));
      this.queue?.enqueue(op);
    }
  }
  create(clientId, fields) {
    const span = { client_id: clientId, ...fields };
    this.apply([{ op: "create", ...span }]);
    this.undo.record({ type: "create", span });
  }
  update(clientId, after) {
    const current = this.spans.get(clientId);
    const before = Object.fromEntries(Object.keys(after).map((k) => [k, current[k]]));
    this.apply([{ op: "update", client_id: clientId, version: current.version, ...after }]);
    this.undo.record({ type: "update", client_id: clientId, before, after });
  }
  remove(...clientIds) {
    const actions = clientIds.map((id) => ({
      type: "delete",
      span: { client_id: id, ...this.spans.get(id) },
    }));
    const version = (id) => this.spans.get(id).version;
    this.apply(clientIds.map((id) => ({ op: "delete", client_id: id, version: version(id) })));
    this.undo.record(actions);
  }
  doUndo() {
    const ops = this.undo.undo();
    if (ops) this.apply(ops);
    return ops;
  }
  doRedo() {
    const ops = this.undo.redo();
    if (ops) this.apply(ops);
    return ops;
  }
  /** The spans' contents, ignoring client ids (undo may re-key) and versions. */
  contents() {
    return [...this.spans.values()]
      .map(({ version: _v, ...fields }) => JSON.stringify(fields))
      .sort();
  }
}

const FAMILY = { label: "loaded_language", start: 17, end: 22, text: "👨‍👩‍👧" };
const EVIL = { label: "name_calling", start: 66, end: 71, text: "e\u0300vil" };

describe("undo: inverse operations", () => {
  test("undoing a create deletes the span; redo brings it back under a new id", () => {
    const page = new Page();
    page.create("a", FAMILY);
    assert.deepEqual(page.doUndo(), [{ op: "delete", client_id: "a" }]);
    assert.equal(page.spans.size, 0);
    assert.deepEqual(page.doRedo(), [{ op: "create", client_id: "re-1", ...FAMILY }]);
    assert.deepEqual(page.spans.get("re-1"), FAMILY);
    // Undo again addresses the re-created span.
    assert.deepEqual(page.doUndo(), [{ op: "delete", client_id: "re-1" }]);
    assert.equal(page.spans.size, 0);
  });

  test("undoing an update restores the changed fields only", () => {
    const page = new Page();
    page.create("a", { ...FAMILY, note: "keep me" });
    page.spans.get("a").version = 3; // as acknowledged by the server
    page.update("a", { label: "flag_waving", end: 23 });
    assert.deepEqual(page.doUndo(), [
      { op: "update", client_id: "a", label: "loaded_language", end: 22, version: 3 },
    ]);
    assert.deepEqual(page.spans.get("a"), { ...FAMILY, note: "keep me", version: 3 });
    page.doRedo();
    assert.equal(page.spans.get("a").label, "flag_waving");
    assert.equal(page.spans.get("a").end, 23);
  });

  test("a grouped delete is undone at once and redone at once", () => {
    const page = new Page();
    page.create("a", FAMILY);
    page.create("b", EVIL);
    const before = page.contents();
    page.remove("a", "b");
    assert.equal(page.spans.size, 0);
    const ops = page.doUndo();
    assert.equal(ops.length, 2);
    assert.ok(ops.every((op) => op.op === "create"));
    assert.deepEqual(page.contents(), before);
    page.doRedo();
    assert.equal(page.spans.size, 0);
    page.doUndo();
    assert.deepEqual(page.contents(), before);
  });

  test("undo all the way back and redo all the way forward", () => {
    const page = new Page();
    const states = [page.contents()];
    page.create("a", FAMILY);
    states.push(page.contents());
    page.update("a", { note: "Ça 🔥" });
    states.push(page.contents());
    page.create("b", EVIL);
    states.push(page.contents());
    page.remove("a");
    states.push(page.contents());
    page.update("b", { start: 65, text: " e\u0300vil" });
    states.push(page.contents());
    for (let i = states.length - 2; i >= 0; i--) {
      assert.ok(page.doUndo());
      assert.deepEqual(page.contents(), states[i], `after undo to state ${i}`);
    }
    assert.equal(page.doUndo(), null);
    assert.equal(page.undo.canUndo, false);
    for (let i = 1; i < states.length; i++) {
      assert.ok(page.doRedo());
      assert.deepEqual(page.contents(), states[i], `after redo to state ${i}`);
    }
    assert.equal(page.doRedo(), null);
  });

  test("a new action clears the redo history", () => {
    const page = new Page();
    page.create("a", FAMILY);
    page.doUndo();
    assert.equal(page.undo.canRedo, true);
    page.create("b", EVIL);
    assert.equal(page.undo.canRedo, false);
    assert.equal(page.doRedo(), null);
  });

  test("the history is bounded by its limit, dropping the oldest steps", () => {
    const stack = new UndoStack({ limit: 3 });
    for (const id of ["a", "b", "c", "d"]) {
      stack.record({ type: "create", span: { client_id: id } });
    }
    const undone = [];
    let ops;
    while ((ops = stack.undo())) undone.push(ops[0].client_id);
    assert.deepEqual(undone, ["d", "c", "b"]);
  });

  test("forget drops every step touching a span", () => {
    const stack = new UndoStack();
    stack.record({ type: "create", span: { client_id: "a" } });
    stack.record({ type: "update", client_id: "b", before: { note: "" }, after: { note: "x" } });
    stack.record({ type: "update", client_id: "a", before: { end: 1 }, after: { end: 2 } });
    stack.forget("a");
    assert.deepEqual(stack.undo(), [{ op: "update", client_id: "b", note: "" }]);
    assert.equal(stack.undo(), null);
  });

  test("malformed actions are refused", () => {
    const stack = new UndoStack();
    assert.throws(() => stack.record({ type: "create" }), TypeError);
    assert.throws(() => stack.record({ type: "update", client_id: "a" }), TypeError);
    assert.throws(() => stack.record({ type: "move", span: { client_id: "a" } }), TypeError);
    assert.equal(stack.canUndo, false);
  });

  test("recorded actions are copies: later changes to the page's objects do not leak in", () => {
    const stack = new UndoStack();
    const span = { client_id: "a", ...FAMILY };
    stack.record({ type: "delete", span });
    span.label = "changed";
    assert.equal(stack.undo()[0].label, "loaded_language");
  });
});

describe("undo: through the save queue to the server", () => {
  test("after edits, undos and redos, the server holds exactly what the page shows", async () => {
    const server = new FakeServer();
    const queue = new SaveQueue({ storage: new MemoryStorage(), clock: new FakeClock() });
    const page = new Page(queue);
    // Keep local versions in step with the server, as the page does with onAck.
    queue.callbacks.onAck = (op, result) => {
      const span = page.spans.get(op.client_id);
      if (span && result.span) span.version = result.span.version;
    };
    const sync = async () => {
      const summary = await queue.flush(server.send);
      assert.deepEqual([summary.conflicts, summary.errors, summary.failed], [0, 0, false]);
    };
    const serverContents = () =>
      [...server.spans.values()]
        .map(({ id: _i, version: _v, ...fields }) => JSON.stringify(fields))
        .sort();

    page.create("a", FAMILY);
    page.create("b", EVIL);
    await sync();
    page.update("a", { note: "ZWJ family" });
    page.remove("b");
    page.doUndo(); // b comes back while its delete is still queued
    await sync();
    assert.deepEqual(serverContents(), page.contents());
    page.doUndo(); // the note goes away
    page.doUndo(); // a's creation is undone
    await sync();
    assert.deepEqual(serverContents(), page.contents());
    page.doRedo();
    page.doRedo();
    await sync();
    assert.deepEqual(serverContents(), page.contents());
    assert.equal(server.spans.size, 2);
  });
});
