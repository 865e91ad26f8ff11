import { test } from "node:test";
import assert from "node:assert/strict";

import { MemoryStorage, SaveQueue } from "../src/queue.js";
import { adoptOrphanQueues, claimQueueKey, storedQueueKeys, TAB_ID_KEY } from "../src/tabqueue.js";

const BASE = "annotator.saveQueue.7";

/** Web Locks as one browser has them: a lock is held until its callback's promise settles. */
class FakeLocks {
  constructor() {
    this.held = new Map(); // name -> release()
  }
  request(name, options, callback) {
    if (this.held.has(name)) return Promise.resolve(callback(null));
    let release;
    const released = new Promise((resolve) => (release = resolve));
    this.held.set(name, release);
    const result = Promise.resolve(callback({ name }));
    result.then(() => {
      // a callback returning a promise that never settles keeps the lock (an open tab)
      this.held.delete(name);
    });
    return Promise.race([result, released.then(() => null)]);
  }
  /** The tab holding `name` closes. */
  close(name) {
    this.held.get(name)?.();
    this.held.delete(name);
  }
}

let ids = 0;
const newId = () => `tab${++ids}`;
const op = (n) => ({ op: "create", client_id: `c${n}`, article: 1, label: "x", start: n, end: n + 1 });

function storeQueue(storage, key, ops) {
  const queue = new SaveQueue({ storage, key });
  for (const o of ops) queue.enqueue(o);
}

test("two tabs store their queues under keys of their own", async () => {
  const locks = new FakeLocks();
  const storage = new MemoryStorage();
  const a = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  const b = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  assert.notEqual(a, b);
  assert.ok(a.startsWith(`${BASE}.`) && b.startsWith(`${BASE}.`));
  storeQueue(storage, a, [op(1)]);
  storeQueue(storage, b, [op(2)]);
  // Neither overwrote the other.
  assert.deepEqual(new SaveQueue({ storage, key: a }).pending().map((o) => o.client_id), ["c1"]);
  assert.deepEqual(new SaveQueue({ storage, key: b }).pending().map((o) => o.client_id), ["c2"]);
});

test("a reload keeps its key; a duplicated tab takes a new one", async () => {
  const locks = new FakeLocks();
  const session = new MemoryStorage();
  const first = await claimQueueKey({ base: BASE, locks, session, newId });
  // Duplicate tab: same sessionStorage copy, but the first tab still holds the lock.
  const copy = new MemoryStorage();
  copy.setItem(TAB_ID_KEY, session.getItem(TAB_ID_KEY));
  const duplicate = await claimQueueKey({ base: BASE, locks, session: copy, newId });
  assert.notEqual(duplicate, first);
  // Reload: the page went away (lock released) and comes back with the same session.
  locks.close(first);
  assert.equal(await claimQueueKey({ base: BASE, locks, session, newId }), first);
});

test("a tab takes over the queues of closed tabs, not of open ones", async () => {
  const locks = new FakeLocks();
  const storage = new MemoryStorage();
  const closed = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  const open = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  storeQueue(storage, closed, [op(1), op(2)]);
  storeQueue(storage, open, [op(3)]);
  storeQueue(storage, BASE, [op(4)]); // the shared queue of earlier versions
  storage.setItem(`${BASE}.old.corrupt`, "kept for support");
  storage.setItem("annotator.saveQueue.8.tabX", "another user's");
  locks.close(closed);

  const mine = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  const adopted = await adoptOrphanQueues({ base: BASE, ownKey: mine, locks, storage });
  assert.deepEqual(adopted.map((o) => o.client_id).sort(), ["c1", "c2", "c4"]);
  assert.equal(storage.getItem(closed), null);
  assert.equal(storage.getItem(BASE), null);
  assert.notEqual(storage.getItem(open), null); // its tab is still open and sends it
  assert.deepEqual(storedQueueKeys(storage, BASE), [open]);
  assert.equal(storage.getItem(`${BASE}.old.corrupt`), "kept for support");

  const queue = new SaveQueue({ storage, key: mine });
  queue.adopt(adopted);
  assert.deepEqual(queue.pending().map((o) => o.client_id).sort(), ["c1", "c2", "c4"]);
  assert.equal(new SaveQueue({ storage, key: mine }).size, 3); // stored at once
});

test("an unreadable orphan queue is kept aside, never dropped", async () => {
  const locks = new FakeLocks();
  const storage = new MemoryStorage();
  storage.setItem(`${BASE}.gone`, "{not json");
  const mine = await claimQueueKey({ base: BASE, locks, session: new MemoryStorage(), newId });
  assert.deepEqual(await adoptOrphanQueues({ base: BASE, ownKey: mine, locks, storage }), []);
  assert.equal(storage.getItem(`${BASE}.gone.corrupt`), "{not json");
});

test("without Web Locks every tab uses the shared key, as before", async () => {
  const storage = new MemoryStorage();
  storeQueue(storage, BASE, [op(1)]);
  const key = await claimQueueKey({ base: BASE, locks: null, session: new MemoryStorage(), newId });
  assert.equal(key, BASE);
  assert.deepEqual(await adoptOrphanQueues({ base: BASE, ownKey: key, locks: null, storage }), []);
  assert.equal(new SaveQueue({ storage, key }).size, 1);
});
