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

// Intl.Segmenter costs microseconds per segment and grows worse than linearly with the string
// (seconds for a 70,000-unit string in V8), so the text is cut into pieces of about CHUNK units,
// only where both grapheme and word boundaries are certain, and a piece is segmented the first
// time a selection or a caret touches it.
const CHUNK = 512;
// Two BMP characters with a grapheme boundary between them (Hangul jamo excluded: they join).
const LETTER_AFTER_LETTER = /^[\p{L}\p{P}](?![\u1100-\u11ff\uac00-\ud7af])\p{L}$/u;
const SPACE_BEFORE_LETTER = /^ [\p{L}\p{N}]$/u;

/** UTF-16 starts of the pieces of `text`, cut after LF or after a space before a letter. */
function chunkStarts(text) {
  const starts = [];
  let from = 0;
  const cutBack = (to, re) => {
    let cut = to;
    while (cut > from + 1 && !re.test(text.slice(cut - 1, cut + 1))) cut--;
    return cut > from + 1 ? cut : -1;
  };
  while (from < text.length) {
    starts.push(from);
    let to = from + CHUNK;
    if (to >= text.length) break;
    const nl = text.lastIndexOf("\n", to - 1);
    if (nl >= from) {
      to = nl + 1; // LF is followed by a boundary in UAX #29 (GB5, WB3a)
    } else {
      // A space before a letter or digit is a boundary in both granularities (GB999, WB999).
      // Without one (Chinese, Thai) cut before a letter that does not continue a cluster: a
      // dictionary word may be split there, a grapheme cluster never.
      to = cutBack(to, SPACE_BEFORE_LETTER);
      if (to < 0) to = cutBack(from + CHUNK, LETTER_AFTER_LETTER);
      if (to < 0) break; // no safe cut at all: the rest is one piece
    }
    from = to;
  }
  return starts;
}

const FALLBACK_CLUSTER =
  /[\u{1F1E6}-\u{1F1FF}]{2}|[^](?:[\p{M}\u200c\ufe0e\ufe0f\u{1F3FB}-\u{1F3FF}]|\u200d[^])*/gu;
const FALLBACK_WORD = /[\p{L}\p{N}\p{Pc}][\p{L}\p{M}\p{N}\p{Pc}\u200c\u200d]*/gu;

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
  const starts16 = chunkStarts(text);
  const startsCp = starts16.map((u16) => index.toCp(u16));
  const pieces = new Array(starts16.length).fill(null);
  const segmenters = useIntl
    ? {
        grapheme: new Intl.Segmenter("und", { granularity: "grapheme" }),
        word: new Intl.Segmenter("und", { granularity: "word" }),
      }
    : null;

  /** Code point ranges in piece k: clusters longer than one code point, and words. */
  function piece(k) {
    if (pieces[k]) return pieces[k];
    const from = starts16[k];
    const to = k + 1 < starts16.length ? starts16[k + 1] : text.length;
    const str = text.slice(from, to);
    const ranges = (granularity, keep) => {
      const out = { starts: [], ends: [] };
      const fallback = granularity === "word" ? FALLBACK_WORD : FALLBACK_CLUSTER;
      const found = segmenters
        ? segmenters[granularity].segment(str)
        : Array.from(str.matchAll(fallback), (m) => ({ segment: m[0], index: m.index, isWordLike: true }));
      for (const seg of found) {
        const s = index.toCp(from + seg.index);
        const e = index.toCp(from + seg.index + seg.segment.length);
        if (keep(seg, e - s)) {
          out.starts.push(s);
          out.ends.push(e);
        }
      }
      return out;
    };
    pieces[k] = {
      clusters: ranges("grapheme", (_seg, len) => len > 1),
      words: ranges("word", (seg) => seg.isWordLike),
    };
    return pieces[k];
  }

  /** The piece holding code point pos (the last piece for pos === length). */
  function pieceAt(pos) {
    return Math.max(0, lastAtMost(startsCp, pos));
  }

  /** The [start, end) of a cluster or word strictly containing pos, or null. */
  function around(kind, pos) {
    if (starts16.length === 0) return null;
    const ranges = piece(pieceAt(pos))[kind];
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
    return around("clusters", pos)?.[0] ?? pos;
  }

  /** End of the grapheme cluster that pos falls inside, or pos at a boundary. */
  function clusterEnd(pos) {
    return around("clusters", pos)?.[1] ?? pos;
  }

  function isBoundary(pos) {
    return around("clusters", pos) === null;
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
      s = around("words", s)?.[0] ?? s;
      e = around("words", e)?.[1] ?? e;
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
      const p = clamp(pos);
      const inside = around("words", p);
      if (inside || p === length) return inside;
      const after = around("words", p + 1);
      return after && after[0] === p ? after : null;
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
      const p = clamp(pos);
      for (let k = pieceAt(p); k < starts16.length; k++) {
        const { ends } = piece(k).words;
        const i = lastAtMost(ends, p) + 1; // first end > p
        if (i < ends.length) return ends[i];
      }
      return length;
    },

    /** Ctrl+Left: the start of the word before or around pos, or 0. */
    prevWordBoundary(pos) {
      const p = clamp(pos);
      for (let k = Math.min(pieceAt(p - 1), starts16.length - 1); k >= 0; k--) {
        const { starts } = piece(k).words;
        const i = lastAtMost(starts, p - 1); // last start < p
        if (i >= 0) return starts[i];
      }
      return 0;
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
