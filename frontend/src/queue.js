/**
 * The offline save queue: every span change goes through it, is written to storage before it is
 * sent (so it survives a reload or a crash), and leaves the queue only when the server has
 * answered for it. Up to half of a day's work lost after a network outage is what this prevents.
 *
 * An operation is a plain object:
 *   {op: "create", client_id, ...span fields}         create is idempotent on client_id
 *   {op: "update", client_id, version, ...changed fields}
 *   {op: "delete", client_id, version}
 * `version` is the span version the client last saw (optimistic concurrency); `id`, the server
 * id, may be present. Operations are keyed by client_id.
 *
 * Coalescing (only with the key's latest queued operation, and never with one being sent):
 *   create + update -> create with the new fields     create + delete -> nothing is sent
 *   update + update -> one update (base version kept)  update + delete -> delete
 *   delete + create -> update to the created fields (the span still exists on the server)
 * Any other pair (create twice, a change after a delete) is a bug in the caller and throws.
 *
 * flush(sendBatch): sendBatch(ops) POSTs a batch and resolves to one result per operation,
 * [{client_id, status: "ok" | "conflict" | "error", span?, detail?, retryable?}], or rejects when
 * the network fails. Flushes are serialized; a flush drains the queue in batches. After a network
 * failure, or a round in which no operation was answered (results missing or marked
 * retryable), it retries with exponential backoff and jitter; unanswered operations in a round
 * that made progress are sent again at once. "ok" removes the operation and passes the server's span to onAck; a later queued
 * operation on the same span is rebased on the acknowledged version. "conflict" and "error"
 * remove every queued operation on that span (retrying cannot help) and hand them to
 * onConflict({local, ops, server, detail}) / onError({local, ops, detail}) for the UI to resolve;
 * to keep the local version after a conflict the UI enqueues an update with server.version.
 * A conflict whose server span already has the operation's content (a replay after a reload
 * lost the answer) counts as "ok".
 */

export const STORAGE_KEY = "annotator.saveQueue";
const FORMAT = 1;
const META = new Set(["op", "client_id", "version", "id"]);

/** A new client id for a span (RFC 4122 v4 UUID). */
export function newClientId(cryptoImpl = globalThis.crypto) {
  return cryptoImpl.randomUUID();
}

/** The span fields an operation carries (everything but op, client_id, version, id). */
export function fieldsOf(op) {
  return Object.fromEntries(Object.entries(op).filter(([k]) => !META.has(k)));
}

function sameValue(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Does the server's span already hold what `op` would write? */
function alreadyApplied(op, server) {
  if (!server || op.op === "delete") return false;
  return Object.entries(fieldsOf(op)).every(([k, v]) => sameValue(v, server[k]));
}

function validate(op) {
  if (!op || !["create", "update", "delete"].includes(op.op)) {
    throw new TypeError(`op must be "create", "update" or "delete", got ${op?.op}`);
  }
  if (typeof op.client_id !== "string" || op.client_id === "") {
    throw new TypeError("client_id must be a non-empty string");
  }
}

/** The single operation equivalent to `prev` followed by `next`, or null for "nothing". */
function coalesce(prev, next) {
  const pair = `${prev.op}+${next.op}`;
  switch (pair) {
    case "create+update":
      return { ...prev, ...fieldsOf(next), op: "create" };
    case "create+delete":
      return null;
    case "update+update":
      return { ...prev, ...fieldsOf(next), op: "update" };
    case "update+delete":
      return withIdentity({ op: "delete", client_id: prev.client_id, version: prev.version }, prev);
    case "delete+create":
      return withIdentity(
        { ...fieldsOf(next), op: "update", client_id: prev.client_id, version: prev.version },
        prev,
      );
    default:
      throw new Error(`cannot queue ${next.op} after ${prev.op} for span ${prev.client_id}`);
  }
}

function withIdentity(op, from) {
  return from.id === undefined ? op : { ...op, id: from.id };
}

function reportBug(exc) {
  console.error("save queue:", exc);
}

/** Run UI callbacks; one that throws must not stop the others. */
function notify(notices) {
  for (const fn of notices) {
    try {
      fn();
    } catch (exc) {
      reportBug(exc);
    }
  }
}

const DEFAULT_CLOCK = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
};

/**
 * @typedef {{state: "saved" | "saving" | "offline", pending: number, durable: boolean,
 *   retryAt: number | null, lastError: string | null}} QueueStatus
 */

export class SaveQueue {
  /**
   * @param {object} options
   * @param {Pick<Storage, "getItem" | "setItem">} options.storage
   * @param {string} [options.key]  storage key; one queue per user (operations carry the article)
   * @param {(ops: object[]) => Promise<object[]>} [options.sendBatch]  default for flush(); when
   *   given, enqueue() schedules a flush after `debounceMs`
   * @param {{now(): number, setTimeout(fn: Function, ms: number): any,
   *   clearTimeout(h: any): void}} [options.clock]
   * @param {() => number} [options.random]  in [0, 1), for the jitter
   * @param {{initialMs?: number, maxMs?: number, factor?: number}} [options.backoff]
   * @param {number} [options.maxBatch]
   * @param {number} [options.debounceMs]
   * @param {(s: QueueStatus) => void} [options.onStatus]
   * @param {(c: {local: object, ops: object[], server?: object, detail: any}) => void}
   *   [options.onConflict]
   * @param {(e: {local: object, ops: object[], detail: any}) => void} [options.onError]
   * @param {(op: object, result: object) => void} [options.onAck]
   */
  constructor(options) {
    const { storage } = options;
    if (!storage || typeof storage.getItem !== "function") {
      throw new TypeError("storage with getItem/setItem is required");
    }
    this.storage = storage;
    this.key = options.key ?? STORAGE_KEY;
    this.sendBatch = options.sendBatch ?? null;
    this.clock = options.clock ?? DEFAULT_CLOCK;
    this.random = options.random ?? Math.random;
    this.backoff = { initialMs: 1000, maxMs: 60_000, factor: 2, ...options.backoff };
    this.maxBatch = options.maxBatch ?? 100;
    this.debounceMs = options.debounceMs ?? 300;
    this.callbacks = {
      onConflict: options.onConflict ?? (() => {}),
      onError: options.onError ?? (() => {}),
      onAck: options.onAck ?? (() => {}),
    };
    this.listeners = new Set(options.onStatus ? [options.onStatus] : []);

    /** @type {{seq: number, op: object}[]} in order of first change */
    this.entries = [];
    this.seq = 0;
    this.inFlight = new Set(); // seq numbers being sent
    this.failures = 0; // consecutive failed rounds, for the backoff
    this.offline = false;
    this.lastError = null;
    this.durable = true;
    this.timer = null;
    this.retryAt = null;
    this.chain = Promise.resolve();
    this.lastStatus = null;
    this.load();
  }

  load() {
    const raw = this.storage.getItem(this.key);
    if (raw === null || raw === undefined) return;
    try {
      const data = JSON.parse(raw);
      if (data?.format !== FORMAT || !Array.isArray(data.entries)) throw new Error("bad format");
      for (const e of data.entries) {
        if (!Number.isInteger(e?.seq)) throw new Error("entry without a sequence number");
        validate(e.op);
      }
      this.entries = data.entries;
      this.seq = Math.max(data.seq ?? 0, ...this.entries.map((e) => e.seq));
    } catch (exc) {
      // Never drop unreadable changes silently: keep them aside for support to recover.
      this.storage.setItem(`${this.key}.corrupt`, raw);
      this.lastError = `stored queue unreadable (${exc.message}); kept under ${this.key}.corrupt`;
    }
  }

  persist() {
    try {
      this.storage.setItem(
        this.key,
        JSON.stringify({ format: FORMAT, seq: this.seq, entries: this.entries }),
      );
      this.durable = true;
    } catch (exc) {
      // Quota exceeded or storage disabled: keep working in memory, and say so.
      this.durable = false;
      this.lastError = `changes not stored locally: ${exc.message}`;
    }
  }

  /** Copies of the queued operations, in sending order. */
  pending() {
    return this.entries.map((e) => ({ ...e.op }));
  }

  get size() {
    return this.entries.length;
  }

  /** @returns {QueueStatus} */
  status() {
    let state = "saving";
    if (this.entries.length === 0 && this.inFlight.size === 0) state = "saved";
    else if (this.offline) state = "offline";
    return {
      state,
      pending: this.entries.length,
      durable: this.durable,
      retryAt: this.retryAt,
      lastError: this.lastError,
    };
  }

  /** Calls fn with every status change (and now); returns the unsubscribe function. */
  subscribe(fn) {
    this.listeners.add(fn);
    fn(this.status());
    return () => this.listeners.delete(fn);
  }

  emit() {
    const status = this.status();
    const json = JSON.stringify(status);
    if (json === this.lastStatus) return;
    this.lastStatus = json;
    for (const fn of this.listeners) fn(status);
  }

  /**
   * Take over operations another tab left stored (tabqueue.js): queued after ours, as they
   * are (they were never merged with ours), and stored at once; the next flush sends them.
   */
  adopt(ops) {
    if (ops.length === 0) return;
    for (const op of ops) validate(op);
    for (const op of ops) this.entries.push({ seq: ++this.seq, op: structuredClone(op) });
    this.persist();
    this.emit();
  }

  /** Queue one operation (coalescing it), store the queue, and schedule a send. */
  enqueue(op) {
    validate(op);
    const copy = structuredClone(op);
    let last = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].op.client_id === copy.client_id) {
        last = i;
        break;
      }
    }
    const prev = last >= 0 ? this.entries[last] : null;
    if (prev && !this.inFlight.has(prev.seq)) {
      const merged = coalesce(prev.op, copy);
      if (merged === null) this.entries.splice(last, 1);
      else prev.op = merged;
    } else {
      if (prev) coalesce(prev.op, copy); // throws when the sequence is impossible
      this.entries.push({ seq: ++this.seq, op: copy });
    }
    this.persist();
    this.emit();
    // While offline the backoff timer decides when to try again; edits do not hammer the server.
    if (this.sendBatch && !this.offline) this.schedule(this.debounceMs);
  }

  /** Flush after `ms` with the configured sendBatch (replaces a pending retry timer). */
  schedule(ms = 0) {
    if (!this.sendBatch) throw new Error("schedule() needs a sendBatch option");
    this.cancelTimer();
    this.retryAt = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.retryAt = null;
      this.flush().catch(reportBug);
    }, ms);
  }

  cancelTimer() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = null;
  }

  /** Resolves once the flushes started so far have finished (before leaving the page, tests). */
  whenIdle() {
    return this.chain;
  }

  /** Stop timers (page unload, tests). Queued operations stay stored. */
  stop() {
    this.cancelTimer();
  }

  /**
   * Send everything queued, in batches, after any flush already running.
   * @returns {Promise<{acknowledged: number, conflicts: number, errors: number, failed: boolean}>}
   *   failed: the queue is not empty because the network (or the server) failed; a retry is
   *   scheduled when a sendBatch is available.
   */
  flush(sendBatch = this.sendBatch) {
    if (typeof sendBatch !== "function") throw new TypeError("flush() needs a sendBatch function");
    const run = this.chain.then(() => this.drain(sendBatch));
    this.chain = run.catch(() => {});
    return run;
  }

  async drain(sendBatch) {
    const summary = { acknowledged: 0, conflicts: 0, errors: 0, failed: false };
    this.cancelTimer();
    while (this.entries.length > 0) {
      const batch = this.nextBatch();
      batch.forEach((e) => this.inFlight.add(e.seq));
      this.emit();
      let results;
      try {
        results = await sendBatch(batch.map((e) => structuredClone(e.op)));
        if (!Array.isArray(results)) throw new TypeError("sendBatch must resolve to an array");
      } catch (exc) {
        this.lastError = String(exc?.message ?? exc);
        this.fail(sendBatch);
        summary.failed = true;
        return summary;
      } finally {
        this.inFlight.clear();
      }
      const before = this.entries.length;
      const { retry, notices } = this.apply(batch, results, summary);
      this.persist();
      notify(notices);
      if (retry && this.entries.length === before) {
        // Nothing was answered: the server is in trouble, back off.
        this.fail(sendBatch);
        summary.failed = true;
        return summary;
      }
      // Progress (perhaps with some operations left unanswered, e.g. the rest of a batch that
      // the server rejected for one bad operation): carry on at once; every round removes one.
      this.failures = 0;
      this.offline = false;
      if (!retry) this.lastError = null;
      this.emit();
    }
    this.failures = 0;
    this.offline = false;
    this.emit();
    return summary;
  }

  /** The first queued operations, at most one per span so results match unambiguously. */
  nextBatch() {
    const batch = [];
    const keys = new Set();
    for (const entry of this.entries) {
      if (batch.length >= this.maxBatch) break;
      if (keys.has(entry.op.client_id)) continue;
      keys.add(entry.op.client_id);
      batch.push(entry);
    }
    return batch;
  }

  /**
   * Apply the server's answers to the queue. Returns whether some operation must be retried and
   * the callbacks to make once the queue is stored (UI code must not interrupt the bookkeeping).
   */
  apply(batch, results, summary) {
    const byId = new Map(results.map((r) => [r?.client_id, r]));
    const notices = [];
    let retry = false;
    for (const entry of batch) {
      const { op } = entry;
      const result = byId.get(op.client_id);
      if (!result || (result.status === "error" && result.retryable)) {
        retry = true;
        if (result) this.lastError = String(result.detail ?? "server error");
        continue;
      }
      const replayed = result.status === "conflict" && alreadyApplied(op, result.span);
      if (result.status === "ok" || replayed) {
        this.remove(entry);
        this.rebase(op.client_id, result.span);
        summary.acknowledged++;
        notices.push(() => this.callbacks.onAck(op, result));
      } else if (result.status === "conflict") {
        const ops = this.removeSpan(entry);
        summary.conflicts++;
        const conflict = { local: ops.at(-1), ops, server: result.span, detail: result.detail };
        notices.push(() => this.callbacks.onConflict(conflict));
      } else {
        const ops = this.removeSpan(entry);
        summary.errors++;
        const error = { local: ops.at(-1), ops, detail: result.detail ?? result.status };
        notices.push(() => this.callbacks.onError(error));
      }
    }
    return { retry, notices };
  }

  remove(entry) {
    this.entries.splice(this.entries.indexOf(entry), 1);
  }

  /** Remove `entry` and every later operation on the same span; returns their ops in order. */
  removeSpan(entry) {
    const ops = this.entries.filter((e) => e.op.client_id === entry.op.client_id).map((e) => e.op);
    this.entries = this.entries.filter((e) => e.op.client_id !== entry.op.client_id);
    return ops;
  }

  /** Later operations on an acknowledged span build on the server's new version and id. */
  rebase(clientId, span) {
    if (!span) return;
    for (const e of this.entries) {
      if (e.op.client_id !== clientId) continue;
      if (span.version !== undefined && e.op.op !== "create") e.op.version = span.version;
      if (span.id !== undefined && e.op.id === undefined) e.op.id = span.id;
    }
  }

  fail(sendBatch) {
    this.failures++;
    this.offline = true;
    const { initialMs, maxMs, factor } = this.backoff;
    const base = Math.min(maxMs, initialMs * factor ** (this.failures - 1));
    // "Equal jitter": at least half the delay, so retries neither stampede nor come too soon.
    const delay = Math.round(base / 2 + this.random() * (base / 2));
    this.cancelTimer();
    this.retryAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.retryAt = null;
      this.flush(sendBatch).catch(reportBug);
    }, delay);
    this.emit();
  }
}

/** An in-memory localStorage stand-in (tests, or when storage is disabled). */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }

  get length() {
    return this.map.size;
  }

  key(index) {
    return [...this.map.keys()][index] ?? null;
  }
}
