/**
 * One stored save queue per browser tab, and the queues of closed tabs taken over.
 *
 * The tabs of one user used to store one queue under one key, and the tab that stored it last
 * overwrote the changes of the others: a tab closed while offline lost what it had not sent.
 * Now each tab stores its queue under a key of its own (`<base>.<tab id>`; the id lives in
 * sessionStorage, so a reload keeps it) and holds a Web Lock of that name while it is open.
 * A tab that opens takes over every stored queue whose lock is free: its tab was closed or
 * crashed before sending everything. The queue stored under `<base>` itself by earlier
 * versions is taken over the same way.
 *
 * Without Web Locks (an old browser, or a page served over plain http from another machine,
 * which is not a secure context) every tab uses `<base>`, as before.
 */

export const TAB_ID_KEY = "annotator.tabId";

/**
 * The storage key of this tab's queue; its lock is held until the page goes away.
 * @param {{base: string, locks?: LockManager | null, session: Pick<Storage, "getItem" |
 *   "setItem">, newId: () => string}} options
 */
export async function claimQueueKey({ base, locks, session, newId }) {
  if (!locks) return base;
  let id = session.getItem(TAB_ID_KEY);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!id) id = newId();
    const key = `${base}.${id}`;
    if (await holdForever(locks, key)) {
      session.setItem(TAB_ID_KEY, id);
      return key;
    }
    id = null; // a duplicated tab copies sessionStorage, id and all: take a new one
  }
  return base;
}

/**
 * The operations of every stored queue under `base` whose tab is gone, in their order;
 * each is removed from storage once read (under its lock, so two tabs never both take it).
 * @param {{base: string, ownKey: string, locks?: LockManager | null, storage: Storage}} options
 */
export async function adoptOrphanQueues({ base, ownKey, locks, storage }) {
  if (!locks || ownKey === base) return [];
  const ops = [];
  for (const key of storedQueueKeys(storage, base)) {
    if (key === ownKey) continue;
    const taken = await whenFree(locks, key, () => takeQueue(storage, key));
    if (taken) ops.push(...taken);
  }
  return ops;
}

/** `base` and `base.<id>` keys in storage (not the `.corrupt` copies kept for support). */
export function storedQueueKeys(storage, base) {
  const keys = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key === base || (key?.startsWith(`${base}.`) && !key.endsWith(".corrupt"))) keys.push(key);
  }
  return keys;
}

function takeQueue(storage, key) {
  const raw = storage.getItem(key);
  if (raw === null) return [];
  let ops;
  try {
    const data = JSON.parse(raw);
    ops = data.entries.map((entry) => entry.op);
  } catch {
    storage.setItem(`${key}.corrupt`, raw); // never dropped silently (see SaveQueue.load)
    ops = [];
  }
  storage.removeItem(key);
  return ops;
}

/** Take the lock `name` if no one holds it and keep it; whether it was taken. */
function holdForever(locks, name) {
  return new Promise((resolve) => {
    locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock === null ? undefined : new Promise(() => {}); // released with the page
    });
  });
}

/** `fn()` under the lock `name` if it is free; its result, or null when the lock is held. */
function whenFree(locks, name, fn) {
  return locks.request(name, { ifAvailable: true }, (lock) => (lock === null ? null : fn()));
}
