import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  cpLength,
  cpToUtf16,
  isInsidePair,
  makeOffsetIndex,
  sliceCp,
  utf16ToCp,
} from "../src/offsets.js";
import { PYTHON_OFFSETS, SAMPLE, SAMPLE_CP_LENGTH, SAMPLE_UTF16_LENGTH } from "./samples.js";

// Each case: text, its length in code points, and [cp, u16] pairs that must correspond.
const CASES = {
  ascii: ["hello world", 11, [[0, 0], [5, 5], [11, 11]]],
  empty: ["", 0, [[0, 0]]],
  emoji: ["a🔥b", 3, [[0, 0], [1, 1], [2, 3], [3, 4]]],
  // 👨 ZWJ 👩 ZWJ 👧: five code points, eight UTF-16 units.
  zwjFamily: ["x👨‍👩‍👧y", 7, [[1, 1], [2, 3], [3, 4], [4, 6], [5, 7], [6, 9], [7, 10]]],
  // Regional indicators: each flag is two astral code points.
  flags: ["🇫🇷🇩🇪", 4, [[1, 2], [2, 4], [4, 8]]],
  combining: ["Cafe\u0301!", 6, [[4, 4], [5, 5], [6, 6]]],
  arabic: ["قال الحرب", 9, [[3, 3], [9, 9]]],
  hebrew: ["עברית: הם", 9, [[5, 5], [9, 9]]],
  nbsp: ["a\u00a0b", 3, [[1, 1], [2, 2]]],
  astralLetters: ["𝔘𝔫i", 3, [[1, 2], [2, 4], [3, 5]]],
  newlines: ["a\nb\n🔥\n", 6, [[2, 2], [4, 4], [5, 6], [6, 7]]],
};

describe("offsets: known positions", () => {
  for (const [name, [text, length, pairs]] of Object.entries(CASES)) {
    test(name, () => {
      const index = makeOffsetIndex(text);
      assert.equal(index.length, length);
      assert.equal(cpLength(text), length);
      assert.equal(cpLength(text), [...text].length);
      for (const [cp, u16] of pairs) {
        assert.equal(cpToUtf16(text, cp), u16, `cpToUtf16(${cp})`);
        assert.equal(index.toUtf16(cp), u16, `index.toUtf16(${cp})`);
        assert.equal(utf16ToCp(text, u16), cp, `utf16ToCp(${u16})`);
        assert.equal(index.toCp(u16), cp, `index.toCp(${u16})`);
      }
    });
  }
});

describe("offsets: agreement with Python", () => {
  test("sample lengths", () => {
    const index = makeOffsetIndex(SAMPLE);
    assert.equal(index.length, SAMPLE_CP_LENGTH);
    assert.equal(SAMPLE.length, SAMPLE_UTF16_LENGTH);
  });

  for (const [phrase, start, end] of PYTHON_OFFSETS) {
    test(`phrase ${JSON.stringify(phrase)} at [${start}, ${end})`, () => {
      const index = makeOffsetIndex(SAMPLE);
      assert.equal(sliceCp(SAMPLE, start, end), phrase);
      assert.equal(index.slice(start, end), phrase);
      // The DOM finds the phrase in UTF-16; converting back must give Python's offsets.
      const at16 = SAMPLE.indexOf(phrase);
      assert.deepEqual(index.rangeToCp(at16, at16 + phrase.length), [start, end]);
      assert.deepEqual(index.rangeToUtf16(start, end), [at16, at16 + phrase.length]);
    });
  }

  test("Python slice semantics (python3: S[20:30], S[-7:], S[5:-200], S[150:10])", () => {
    assert.equal(sliceCp(SAMPLE, 20, 30), "\u200d👧 familie");
    assert.equal(sliceCp(SAMPLE, -7), "𝔫𝔦𝔠𝔬𝔡𝔢.");
    assert.equal(sliceCp(SAMPLE, 5, -200), "");
    assert.equal(sliceCp(SAMPLE, 150, 10), "");
    assert.equal(sliceCp(SAMPLE, 0, 10_000), SAMPLE);
    assert.equal(sliceCp(SAMPLE), SAMPLE);
    assert.equal(sliceCp("", 0, 0), "");
  });
});

describe("offsets: positions inside a surrogate pair", () => {
  const text = "a🔥b"; // 🔥 occupies UTF-16 units 1 and 2, code point 1

  test("start snaps to the pair's start, end to its end", () => {
    assert.ok(isInsidePair(text, 2));
    assert.ok(!isInsidePair(text, 1));
    assert.ok(!isInsidePair(text, 3));
    for (const toCp of [(u, s) => utf16ToCp(text, u, s), makeOffsetIndex(text).toCp]) {
      assert.equal(toCp(2, "start"), 1);
      assert.equal(toCp(2), 1);
      assert.equal(toCp(2, "end"), 2);
      // Outside a pair the side does not matter.
      assert.equal(toCp(3, "end"), 2);
      assert.equal(toCp(1, "end"), 1);
    }
  });

  test("a half-selected emoji is selected whole, never as half a pair", () => {
    const index = makeOffsetIndex(text);
    // A DOM range from inside the pair to the end: the whole emoji plus b.
    assert.deepEqual(index.rangeToCp(2, 4), [1, 3]);
    assert.equal(index.slice(1, 3), "🔥b");
    // A DOM range ending inside the pair: a plus the whole emoji.
    assert.deepEqual(index.rangeToCp(0, 2), [0, 2]);
    assert.equal(index.slice(0, 2), "a🔥");
  });

  test("lone surrogates count as one code point each", () => {
    const broken = "a\ud83db\udd25c";
    assert.equal(cpLength(broken), 5);
    assert.equal(makeOffsetIndex(broken).toCp(3), 3);
    assert.equal(utf16ToCp(broken, 5), 5);
    assert.equal(cpToUtf16(broken, 4), 4);
  });
});

describe("offsets: bad input", () => {
  test("out-of-range and non-integer offsets throw", () => {
    const index = makeOffsetIndex("a🔥");
    assert.throws(() => index.toUtf16(3), RangeError);
    assert.throws(() => index.toUtf16(-1), RangeError);
    assert.throws(() => index.toCp(4), RangeError);
    assert.throws(() => index.toCp(1.5), TypeError);
    assert.throws(() => index.toCp(1, "middle"), TypeError);
    assert.throws(() => cpToUtf16("a🔥", 3), RangeError);
    assert.throws(() => utf16ToCp("a🔥", 4), RangeError);
    assert.throws(() => sliceCp("abc", 0.5, 2), TypeError);
  });
});

describe("offsets: round trips over every position", () => {
  const mixed = SAMPLE + "🇫🇷🇩🇪x\u00a0";

  test("every code point offset round-trips, for the index and the one-off functions", () => {
    const index = makeOffsetIndex(mixed);
    const cps = [...mixed];
    let u16 = 0;
    for (let cp = 0; cp <= cps.length; cp++) {
      assert.equal(index.toUtf16(cp), u16);
      assert.equal(cpToUtf16(mixed, cp), u16);
      assert.equal(index.toCp(u16, "start"), cp);
      assert.equal(index.toCp(u16, "end"), cp);
      assert.equal(utf16ToCp(mixed, u16), cp);
      if (cp < cps.length) u16 += cps[cp].length;
    }
    assert.equal(u16, mixed.length);
  });

  test("every UTF-16 range maps to whole characters and back without half pairs", () => {
    const index = makeOffsetIndex(mixed);
    const cps = [...mixed];
    for (let s16 = 0; s16 <= mixed.length; s16 += 3) {
      for (let e16 = s16; e16 <= mixed.length; e16 += 7) {
        const [s, e] = index.rangeToCp(s16, e16);
        const piece = index.slice(s, e);
        assert.equal(piece, cps.slice(s, e).join(""));
        // The code point range covers at least what the DOM selected.
        const [back16s, back16e] = index.rangeToUtf16(s, e);
        assert.ok(back16s <= s16 && back16e >= e16);
        assert.ok(back16s >= s16 - 1 && back16e <= e16 + 1);
        assert.ok(!isInsidePair(mixed, back16s) && !isInsidePair(mixed, back16e));
      }
    }
  });

  test("index on a 100,000-character article agrees with the one-off walk", () => {
    const long = (SAMPLE + "\n").repeat(600).slice(0, 100_000);
    const index = makeOffsetIndex(long);
    assert.equal(index.length, [...long].length);
    for (const cp of [0, 1, 999, 50_000, index.length - 1, index.length]) {
      assert.equal(index.toUtf16(cp), cpToUtf16(long, cp));
    }
    for (const u16 of [0, 17, 77_777, long.length]) {
      for (const side of ["start", "end"]) {
        assert.equal(index.toCp(u16, side), utf16ToCp(long, u16, side));
      }
    }
  });
});
