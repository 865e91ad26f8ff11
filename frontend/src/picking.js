/**
 * Which recommendation is open and which one a key picks (recommendations.js), and what a key
 * does to a picked item (recommendations.js and suggestions.js), without the DOM:
 * a recommendation is known by its range and label; it is open while not rejected and while no
 * span of the annotator's layer has its exact range (whatever its label: accepting one "as
 * another label" takes it too).
 */

/** The key of a recommendation: its range and label. */
export const keyOf = (r) => `${r.start}-${r.end}:${r.label}`;

/** Recommendations in text order (the order . and , go through them), best score first. */
export function inTextOrder(items) {
  return [...items].sort((a, b) => a.start - b.start || a.end - b.end || b.score - a.score);
}

/** The open ones among `items`: not in `rejected` (keys), no span at exactly their range. */
export function openOnes(items, spans, rejected) {
  const taken = new Set([...spans].map((s) => `${s.start}-${s.end}`));
  return items.filter((r) => !rejected.has(keyOf(r)) && !taken.has(`${r.start}-${r.end}`));
}

/** The key `direction` (1 or -1) steps from `current` among `open`, wrapping; null if none. */
export function stepKey(open, current, direction) {
  if (open.length === 0) return null;
  const at = open.findIndex((r) => keyOf(r) === current);
  const next = at < 0 ? (direction > 0 ? 0 : open.length - 1) : (at + direction + open.length) % open.length;
  return keyOf(open[next]);
}

/** The key to pick once `key` is gone (accepted or rejected): the next, else the previous. */
export function followingKey(open, key) {
  const at = open.findIndex((r) => keyOf(r) === key);
  if (at < 0) return null;
  const next = open[at + 1] ?? open[at - 1];
  return next ? keyOf(next) : null;
}

/**
 * Handle a key for a list of picked-one-at-a-time items (recommendations, diff suggestions):
 * `next` / `previous` step through them; on the picked one Enter or y accepts it as its label,
 * a label's hotkey accepts it as that label, x drops it, Escape lets it go. True if the key
 * was one of ours (the page then does nothing else with it).
 * @param {KeyboardEvent} event
 * @param {{next: string, previous: string, canStep: boolean, picked: object | undefined,
 *   labels: {has(key: string): boolean}, hotkeys: Map<string, string>,
 *   step(direction: number): void, accept(item: object, label: string): void,
 *   drop(item: object): void, letGo(): void}} list
 */
export function onPickKey(event, list) {
  const key = event.key;
  if (key === list.next || key === list.previous) {
    if (!list.canStep) return false;
    event.preventDefault();
    list.step(key === list.next ? 1 : -1);
    return true;
  }
  const item = list.picked;
  if (!item) return false;
  const lower = key.toLowerCase();
  if (key === "Enter" || lower === "y") {
    event.preventDefault();
    if (list.labels.has(item.label)) list.accept(item, item.label);
    return true;
  }
  if (lower === "x") {
    event.preventDefault();
    list.drop(item);
    return true;
  }
  if (key === "Escape") {
    list.letGo();
    return false; // the page clears its own selection too
  }
  if (list.hotkeys.has(lower)) {
    event.preventDefault();
    list.accept(item, list.hotkeys.get(lower));
    return true;
  }
  return false;
}
