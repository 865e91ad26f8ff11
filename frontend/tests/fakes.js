// Test doubles shared by the queue and undo tests.
import { fieldsOf } from "../src/queue.js";

/** Timers that only fire when the test says so. */
export class FakeClock {
  constructor() {
    this.t = 0;
    this.timers = new Map();
    this.nextId = 1;
  }
  now() {
    return this.t;
  }
  setTimeout(fn, ms) {
    const id = this.nextId++;
    this.timers.set(id, { fn, at: this.t + ms, ms });
    return id;
  }
  clearTimeout(id) {
    this.timers.delete(id);
  }
  /** Delays of the timers now pending. */
  pendingDelays() {
    return [...this.timers.values()].map((t) => t.ms);
  }
  /** Advance to the next timer and run it. */
  fireNext() {
    const [id, timer] = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    this.timers.delete(id);
    this.t = timer.at;
    timer.fn();
  }
}

/**
 * A stand-in for the sync endpoint: applies operations to its own spans like the API would
 * (create idempotent on client_id, update/delete checked against the version) and records every
 * operation it received. `down = true` makes the request fail like a dropped connection.
 */
export class FakeServer {
  constructor() {
    this.spans = new Map();
    this.received = [];
    this.requests = 0;
    this.active = 0;
    this.maxActive = 0;
    this.down = false;
    this.nextId = 1;
  }
  send = async (ops) => {
    this.requests++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setImmediate(r)); // the request takes a moment
    this.active--;
    if (this.down) throw new TypeError("Failed to fetch");
    this.received.push(...ops);
    return ops.map((op) => this.apply(op));
  };
  apply(op) {
    const span = this.spans.get(op.client_id);
    if (op.op === "create") {
      if (!span) {
        this.spans.set(op.client_id, { ...fieldsOf(op), id: this.nextId++, version: 1 });
      }
      return { client_id: op.client_id, status: "ok", span: { ...this.spans.get(op.client_id) } };
    }
    if (!span) return { client_id: op.client_id, status: "error", detail: "no such span" };
    if (span.version !== op.version) {
      return { client_id: op.client_id, status: "conflict", span: { ...span }, detail: "stale" };
    }
    if (op.op === "delete") {
      this.spans.delete(op.client_id);
      return { client_id: op.client_id, status: "ok" };
    }
    Object.assign(span, fieldsOf(op), { version: span.version + 1 });
    return { client_id: op.client_id, status: "ok", span: { ...span } };
  }
}
