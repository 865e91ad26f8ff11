/**
 * The one place that converts between browser positions (UTF-16 code units, what DOM Ranges and
 * String.prototype.slice count) and Unicode code points (what the API, the database and every
 * export count, i.e. Python `str` indexing).
 *
 * A code point above U+FFFF ("astral": most emoji, 𝔘, ...) is two UTF-16 units (a surrogate
 * pair) but one code point. A UTF-16 position that falls between the two halves of a pair is
 * snapped so that no half pair is ever produced:
 *   - side "start" (the default) snaps to the pair's start, so the character is included;
 *   - side "end" snaps to the pair's end, so the character is included.
 * A range [start, end) converted with ("start", "end") therefore always covers whole characters.
 *
 * Lone surrogates (invalid UTF-16, never produced from UTF-8 text) count as one code point each,
 * as `for...of` and Python (with surrogateescape-like input) would count them.
 */

/** @typedef {"start" | "end"} Side */

function isHigh(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** True when UTF-16 position `u16` falls between the two halves of a surrogate pair. */
export function isInsidePair(text, u16) {
  return (
    u16 > 0 &&
    u16 < text.length &&
    isLow(text.charCodeAt(u16)) &&
    isHigh(text.charCodeAt(u16 - 1))
  );
}

function checkInt(name, value) {
  if (!Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${value}`);
  }
}

/**
 * Sorted UTF-16 positions of the high surrogate of every astral character in `text`.
 * @param {string} text
 * @returns {number[]}
 */
function astralPositions(text) {
  const positions = [];
  const n = text.length;
  for (let i = 0; i < n - 1; i++) {
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) {
      positions.push(i);
      i++;
    }
  }
  return positions;
}

/** Number of items of the sorted array `a` that are < x. */
function countBelow(a, x) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * @typedef {object} OffsetIndex
 * @property {string} text
 * @property {number} length       length in code points (Python len(text))
 * @property {number} utf16Length  text.length
 * @property {(cp: number) => number} toUtf16
 * @property {(u16: number, side?: Side) => number} toCp
 * @property {(start: number, end?: number) => string} slice  Python text[start:end]
 * @property {(start16: number, end16: number) => [number, number]} rangeToCp
 * @property {(start: number, end: number) => [number, number]} rangeToUtf16
 */

/**
 * Build once per text; every conversion is then O(log a), a = number of astral characters
 * (O(1) for texts without any). 100,000 characters index in about a millisecond.
 * @param {string} text
 * @returns {OffsetIndex}
 */
export function makeOffsetIndex(text) {
  const astral16 = astralPositions(text);
  // Code point position of each astral character: its UTF-16 position minus the pairs before it.
  const astralCp = astral16.map((u16, k) => u16 - k);
  const utf16Length = text.length;
  const length = utf16Length - astral16.length;

  function toUtf16(cp) {
    checkInt("code point offset", cp);
    if (cp < 0 || cp > length) {
      throw new RangeError(`code point offset ${cp} outside [0, ${length}]`);
    }
    return cp + countBelow(astralCp, cp);
  }

  function toCp(u16, side = "start") {
    checkInt("UTF-16 offset", u16);
    if (u16 < 0 || u16 > utf16Length) {
      throw new RangeError(`UTF-16 offset ${u16} outside [0, ${utf16Length}]`);
    }
    if (side !== "start" && side !== "end") {
      throw new TypeError(`side must be "start" or "end", got ${side}`);
    }
    const pairsBefore = countBelow(astral16, u16);
    if (pairsBefore > 0 && astral16[pairsBefore - 1] === u16 - 1) {
      // Inside the pair that starts at u16 - 1, whose code point offset is u16 - pairsBefore.
      return u16 - pairsBefore + (side === "end" ? 1 : 0);
    }
    return u16 - pairsBefore;
  }

  function slice(start, end) {
    const [s, e] = pythonSliceBounds(length, start, end);
    return s >= e ? "" : text.slice(toUtf16(s), toUtf16(e));
  }

  return {
    text,
    length,
    utf16Length,
    astralCount: astral16.length,
    toUtf16,
    toCp,
    slice,
    /** A DOM range [start16, end16) to code points, covering any half-selected pair. */
    rangeToCp(start16, end16) {
      return [toCp(start16, "start"), toCp(end16, "end")];
    },
    rangeToUtf16(start, end) {
      return [toUtf16(start), toUtf16(end)];
    },
  };
}

/** Length of `text` in code points (Python len). */
export function cpLength(text) {
  return text.length - astralPositions(text).length;
}

/**
 * Code point offset -> UTF-16 offset. One-off O(n) walk; use makeOffsetIndex for many calls.
 * @throws {RangeError} when cp is outside [0, cpLength(text)]
 */
export function cpToUtf16(text, cp) {
  checkInt("code point offset", cp);
  if (cp < 0) throw new RangeError(`code point offset ${cp} is negative`);
  let u16 = 0;
  for (let seen = 0; seen < cp; seen++) {
    if (u16 >= text.length) {
      throw new RangeError(`code point offset ${cp} outside [0, ${seen}]`);
    }
    u16 += isHigh(text.charCodeAt(u16)) && isLow(text.charCodeAt(u16 + 1)) ? 2 : 1;
  }
  return u16;
}

/**
 * UTF-16 offset -> code point offset, snapping a position inside a surrogate pair to the pair's
 * start (side "start") or end (side "end"). One-off O(n) walk.
 * @param {string} text
 * @param {number} u16
 * @param {Side} [side]
 */
export function utf16ToCp(text, u16, side = "start") {
  checkInt("UTF-16 offset", u16);
  if (u16 < 0 || u16 > text.length) {
    throw new RangeError(`UTF-16 offset ${u16} outside [0, ${text.length}]`);
  }
  if (side !== "start" && side !== "end") {
    throw new TypeError(`side must be "start" or "end", got ${side}`);
  }
  let cp = 0;
  let i = 0;
  while (i < u16) {
    const step = isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    if (i + step > u16) {
      // u16 is inside the pair starting at i.
      return side === "end" ? cp + 1 : cp;
    }
    i += step;
    cp++;
  }
  return cp;
}

/**
 * Python's slice bounds: negative indices count from the end, out-of-range ones are clamped,
 * undefined/null means "from the start" / "to the end".
 * @returns {[number, number]}
 */
export function pythonSliceBounds(length, start, end) {
  const norm = (value, fallback) => {
    if (value === undefined || value === null) return fallback;
    checkInt("slice index", value);
    if (value < 0) return Math.max(0, value + length);
    return Math.min(value, length);
  };
  return [norm(start, 0), norm(end, length)];
}

/**
 * `text[start:end]` exactly as Python computes it, offsets in code points.
 * @param {string} text
 * @param {number} [start]
 * @param {number} [end]
 */
export function sliceCp(text, start, end) {
  return makeOffsetIndex(text).slice(start, end);
}
