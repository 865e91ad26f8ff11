/**
 * Which recommendation is open and which one a key picks (recommendations.js), without the DOM:
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
