/**
 * Layout of overlapping spans for drawing: the text is cut into segments where coverage
 * changes, and each span gets a stacking level so overlapping and nested spans are drawn as
 * stacked underlines (level 0 nearest the text). Offsets are code points; the page converts
 * segment bounds with offsets.js when it slices the text.
 *
 * Levels are assigned greedily in order of start (longer first at equal starts, so an enclosing
 * span sits below what it encloses), reusing the lowest free level: the number of levels equals
 * the largest number of spans covering one character, which is the fewest possible.
 * O(n log n + output) for n spans.
 */

/** A binary min-heap of [key, value] pairs ordered by key, then value. */
class MinHeap {
  constructor() {
    this.items = [];
  }
  get size() {
    return this.items.length;
  }
  peek() {
    return this.items[0];
  }
  static less(a, b) {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
  push(item) {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!MinHeap.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && MinHeap.less(a[l], a[m])) m = l;
        if (r < a.length && MinHeap.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * @typedef {{id: string | number, start: number, end: number}} LayoutSpan
 * @typedef {{start: number, end: number, spans: Array<string | number>}} Segment
 *   spans: the ids covering the segment, by level
 */

/**
 * @param {LayoutSpan[]} spans
 * @param {number} length  text length in code points
 * @returns {{segments: Segment[], levels: Map<string | number, number>, depth: number,
 *   invalid: Array<string | number>}}
 *   segments cover [0, length) without gaps (uncovered text has spans: []); invalid lists the
 *   ids of spans that are empty, outside the text or repeat an id, which are left out.
 */
export function layoutSpans(spans, length) {
  if (!Number.isInteger(length) || length < 0) {
    throw new TypeError(`length must be a non-negative integer, got ${length}`);
  }
  const invalid = [];
  const valid = [];
  const seen = new Set();
  for (const s of spans) {
    const ok =
      Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start < s.end;
    if (ok && s.end <= length && !seen.has(s.id)) valid.push(s);
    else invalid.push(s.id);
    seen.add(s.id);
  }
  // Enclosing spans first at equal starts; the input order breaks remaining ties (stable sort).
  valid.sort((a, b) => a.start - b.start || b.end - a.end);

  const levels = new Map();
  const active = new MinHeap(); // [end, level] of spans placed so far
  const free = new MinHeap(); // [level, level] released by spans that ended
  let depth = 0;
  for (const s of valid) {
    while (active.size > 0 && active.peek()[0] <= s.start) {
      const [, level] = active.pop();
      free.push([level, level]);
    }
    const level = free.size > 0 ? free.pop()[1] : depth++;
    levels.set(s.id, level);
    active.push([s.end, level]);
  }

  return { segments: cutSegments(valid, levels, length), levels, depth, invalid };
}

/** Cut [0, length) where coverage changes; `sorted` is in order of start. */
function cutSegments(sorted, levels, length) {
  const byEnd = [...sorted].sort((a, b) => a.end - b.end);
  const covering = new Map(); // id -> level, of spans covering the current point
  const segments = [];
  let i = 0; // next span to open, in `sorted`
  let j = 0; // next span to close, in `byEnd`
  let at = 0;
  while (at < length) {
    while (j < byEnd.length && byEnd[j].end <= at) covering.delete(byEnd[j++].id);
    while (i < sorted.length && sorted[i].start <= at) {
      covering.set(sorted[i].id, levels.get(sorted[i].id));
      i++;
    }
    const nextStart = i < sorted.length ? sorted[i].start : length;
    const nextEnd = j < byEnd.length ? byEnd[j].end : length;
    const to = Math.min(nextStart, nextEnd, length);
    const ids = [...covering].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    segments.push({ start: at, end: to, spans: ids });
    at = to;
  }
  return segments;
}
