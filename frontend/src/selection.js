/**
 * Turning a raw selection into the span an annotator meant, and moving a keyboard caret by
 * character or by word. Every position here is a Unicode code point offset (see offsets.js).
 *
 * - Never splits a grapheme cluster (👨‍👩‍👧, e + U+0301, 🇫🇷): a start inside a cluster moves to
 *   its start, an end inside a cluster moves to its end.
 * - Trims surrounding whitespace, including no-break spaces and newlines.
 * - Optionally snaps to word boundaries (a start or end inside a word extends to the whole word),
 *   as INCEpTION and Prodigy do.
 *
 * Clusters and words come from Intl.Segmenter (Node 20, every current browser). Without it a
 * regular-expression fallback is used: a word is a run of \p{L}\p{M}\p{N}\p{Pc} characters, a
 * cluster a character plus its combining marks, variation selectors, skin tones, ZWJ sequences
 * and regional-indicator pairs. The two differ in details (Intl keeps "don't" as one word).
 */

import { makeOffsetIndex } from "./offsets.js";

// \s covers NBSP, U+2000..U+200A, U+202F, U+3000, newlines, BOM; add the zero-width space.
const WHITESPACE = /^[\s\u200b]$/u;

/** True for a single character (code point) that trimming removes. */
export function isWhitespace(ch) {
  return WHITESPACE.test(ch);
}

// Intl.Segmenter gets slow on very long strings (quadratic in V8 on a 70,000-unit string),
// so text is segmented in pieces cut only where both grapheme and word boundaries are certain.
const CHUNK = 2048;
// Two BMP characters with a grapheme boundary between them (Hangul jamo excluded: they join).
const LETTER_AFTER_LETTER = /^[\p{L}\p{P}](?![\u1100-\u11ff\uac00-\ud7af])\p{L}$/u;

/** Yields [from, to) UTF-16 ranges covering `text`, cut after LF or after a space before a letter. */
function* safeChunks(text) {
  let from = 0;
  while (from < text.length) {
    let to = Math.min(text.length, from + CHUNK);
    if (to < text.length) {
      const nl = text.lastIndexOf("\n", to - 1);
      if (nl >= from) {
        to = nl + 1; // LF is followed by a boundary in UAX #29 (GB5, WB3a)
      } else {
        // A space followed by a letter or digit: a boundary in both granularities (GB999, WB999).
        let cut = to;
        while (cut > from + 1 && !(text[cut - 1] === " " && /[\p{L}\p{N}]/u.test(text[cut]))) {
          cut--;
        }
        if (cut > from + 1) {
          to = cut;
        } else {
          // 2,048 units without a space or LF (Chinese, Thai): cut before a letter that does not
          // continue a cluster; a dictionary word may be split there, a cluster never.
          cut = to;
          while (cut > from + 1 && !LETTER_AFTER_LETTER.test(text.slice(cut - 1, cut + 1))) cut--;
          to = cut > from + 1 ? cut : text.length;
        }
      }
    }
    yield [from, to];
    from = to;
  }
}

function countCodePoints(s) {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const FALLBACK_CLUSTER =
  /[\u{1F1E6}-\u{1F1FF}]{2}|[^](?:[\p{M}\u200c\ufe0e\ufe0f\u{1F3FB}-\u{1F3FF}]|\u200d[^])*/gsu;
const FALLBACK_WORD = /[\p{L}\p{N}\p{Pc}][\p{L}\p{M}\p{N}\p{Pc}\u200c\u200d]*/gu;

function* segmentsOf(piece, granularity, useIntl) {
  if (useIntl) {
    const segmenter = new Intl.Segmenter("und", { granularity });
    for (const s of segmenter.segment(piece)) {
      yield { segment: s.segment, index: s.index, isWordLike: s.isWordLike };
    }
    return;
  }
  const re = granularity === "word" ? FALLBACK_WORD : FALLBACK_CLUSTER;
  for (const m of piece.matchAll(re)) {
    yield { segment: m[0], index: m.index, isWordLike: true };
  }
}

/**
 * Ranges [start, end) in code points of the pieces of `text` at `granularity`, keeping only
 * those for which keep(segment) is true. Segments must be scanned in order.
 */
function collect(text, granularity, useIntl, keep) {
  const starts = [];
  const ends = [];
  let cp = 0; // code point offset of u16
  let u16 = 0;
  for (const [from, to] of safeChunks(text)) {
    const piece = text.slice(from, to);
    for (const s of segmentsOf(piece, granularity, useIntl)) {
      const at = from + s.index;
      if (at > u16) {
        // Unmatched gap (fallback regexes skip text): advance the counters over it.
        cp += countCodePoints(text.slice(u16, at));
        u16 = at;
      }
      const len = countCodePoints(s.segment);
      if (keep(s, len)) {
        starts.push(cp);
        ends.push(cp + len);
      }
      cp += len;
      u16 += s.segment.length;
    }
  }
  return { starts, ends };
}

/** Index of the last item of sorted `a` that is <= x, or -1. */
function lastAtMost(a, x) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first item of sorted `a` that is > x, or a.length. */
function firstAbove(a, x) {
  return lastAtMost(a, x) + 1;
}

/**
 * Selection helpers for one text; build once per article (segmentation is done lazily, once).
 * @param {string} text
 * @param {{index?: ReturnType<typeof makeOffsetIndex>, useIntl?: boolean}} [options]
 *   useIntl: false forces the regular-expression fallback (tests use it).
 */
export function createSelectionTools(text, options = {}) {
  const index = options.index ?? makeOffsetIndex(text);
  const useIntl = (options.useIntl ?? true) && typeof Intl?.Segmenter === "function";
  const length = index.length;
  let clusters = null; // only clusters longer than one code point
  let words = null;

  function getClusters() {
    clusters ??= collect(text, "grapheme", useIntl, (_s, len) => len > 1);
    return clusters;
  }

  function getWords() {
    words ??= collect(text, "word", useIntl, (s) => s.isWordLike);
    return words;
  }

  /** The [start, end) of the range of `ranges` that strictly contains pos, or null. */
  function around(ranges, pos) {
    const k = lastAtMost(ranges.starts, pos - 1); // starts < pos
    if (k >= 0 && ranges.ends[k] > pos) return [ranges.starts[k], ranges.ends[k]];
    return null;
  }

  function clamp(pos) {
    if (!Number.isInteger(pos)) throw new TypeError(`offset must be an integer, got ${pos}`);
    return Math.min(Math.max(pos, 0), length);
  }

  /** Start of the grapheme cluster that pos falls inside, or pos at a boundary. */
  function clusterStart(pos) {
    return around(getClusters(), pos)?.[0] ?? pos;
  }

  /** End of the grapheme cluster that pos falls inside, or pos at a boundary. */
  function clusterEnd(pos) {
    return around(getClusters(), pos)?.[1] ?? pos;
  }

  function isBoundary(pos) {
    return around(getClusters(), pos) === null;
  }

  function charAt(cp) {
    const u = index.toUtf16(cp);
    return String.fromCodePoint(text.codePointAt(u));
  }

  /**
   * The span an annotator meant by selecting [start, end) (either order), or null when nothing
   * but whitespace is selected.
   * @param {number} start
   * @param {number} end
   * @param {{snapWords?: boolean}} [opts]
   * @returns {{start: number, end: number, text: string} | null}
   */
  function normalize(start, end, opts = {}) {
    let s = clamp(Math.min(start, end));
    let e = clamp(Math.max(start, end));
    s = clusterStart(s);
    e = clusterEnd(e);
    // Trim whole whitespace clusters only: a space carrying a combining mark is visible text.
    while (s < e && isWhitespace(charAt(s)) && isBoundary(s + 1)) s++;
    while (e > s && isWhitespace(charAt(e - 1)) && isBoundary(e - 1)) e--;
    if (s >= e) return null;
    if (opts.snapWords) {
      s = around(getWords(), s)?.[0] ?? s;
      e = around(getWords(), e)?.[1] ?? e;
      s = clusterStart(s);
      e = clusterEnd(e);
    }
    return { start: s, end: e, text: index.slice(s, e) };
  }

  return {
    index,
    normalize,

    /** Same as normalize, from a DOM selection in UTF-16 units (half pairs are included). */
    fromUtf16(start16, end16, opts) {
      const [s16, e16] = start16 <= end16 ? [start16, end16] : [end16, start16];
      const [s, e] = index.rangeToCp(s16, e16);
      return normalize(s, e, opts);
    },

    /** The word [start, end) containing pos (pos at its start counts), or null. */
    wordAt(pos) {
      const w = getWords();
      const k = lastAtMost(w.starts, clamp(pos));
      return k >= 0 && w.ends[k] > pos ? [w.starts[k], w.ends[k]] : null;
    },

    /** The caret position one grapheme cluster to the right (Shift+Right). */
    nextGrapheme(pos) {
      const p = clamp(pos);
      return p >= length ? length : clusterEnd(clusterStart(p) + 1);
    },

    /** The caret position one grapheme cluster to the left (Shift+Left). */
    prevGrapheme(pos) {
      const p = clamp(pos);
      return p <= 0 ? 0 : clusterStart(clusterEnd(p) - 1);
    },

    /** Ctrl+Right: the end of the word at or after pos, or the end of the text. */
    nextWordBoundary(pos) {
      const w = getWords();
      const k = firstAbove(w.ends, clamp(pos));
      return k < w.ends.length ? w.ends[k] : length;
    },

    /** Ctrl+Left: the start of the word before or around pos, or 0. */
    prevWordBoundary(pos) {
      const w = getWords();
      const k = lastAtMost(w.starts, clamp(pos) - 1);
      return k >= 0 ? w.starts[k] : 0;
    },

    /** Whether pos is a grapheme cluster boundary (a caret may stand there). */
    isBoundary(pos) {
      return isBoundary(clamp(pos));
    },
  };
}

/**
 * One-off form of createSelectionTools(text).normalize(start, end, opts).
 * @returns {{start: number, end: number, text: string} | null}
 */
export function normalizeSelection(text, start, end, opts) {
  return createSelectionTools(text).normalize(start, end, opts);
}
