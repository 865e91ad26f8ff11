import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { makeOffsetIndex } from "../src/offsets.js";
import { createSelectionTools, isWhitespace, normalizeSelection } from "../src/selection.js";
import { PYTHON_OFFSETS, SAMPLE } from "./samples.js";

/** Code point range of the first occurrence of `phrase` in `text`. */
function find(text, phrase, from = 0) {
  const index = makeOffsetIndex(text);
  const at = text.indexOf(phrase, index.toUtf16(from));
  assert.ok(at >= 0, `${phrase} not in text`);
  return index.rangeToCp(at, at + phrase.length);
}

// Both the Intl.Segmenter path and the regular-expression fallback must pass these.
for (const useIntl of [true, false]) {
  const mode = useIntl ? "Intl.Segmenter" : "fallback";
  const tools = (text) => createSelectionTools(text, { useIntl });

  describe(`selection (${mode}): trimming`, () => {
    test("spaces, NBSP and newlines around a selection are trimmed", () => {
      const text = "say \u00a0\n Protecting ISIS\u00a0 \n now";
      const [s, e] = find(text, "Protecting ISIS");
      assert.deepEqual(tools(text).normalize(s - 4, e + 3), {
        start: s,
        end: e,
        text: "Protecting ISIS",
      });
    });

    test("inner whitespace, NBSP included, is kept", () => {
      const [s, e] = find(SAMPLE, "Price\u00a0rises");
      assert.equal(tools(SAMPLE).normalize(s - 1, e + 1).text, "Price\u00a0rises");
    });

    test("whitespace-only and empty selections give null", () => {
      const text = "a \u00a0\n\u2003\u200b b";
      const t = tools(text);
      assert.equal(t.normalize(1, 7), null);
      assert.equal(t.normalize(3, 3), null);
      assert.equal(tools("").normalize(0, 0), null);
      const none = tools("");
      assert.deepEqual(
        [none.nextWordBoundary(0), none.prevWordBoundary(0), none.nextGrapheme(0), none.wordAt(0)],
        [0, 0, 0, null],
      );
    });

    test("a reversed selection (focus before anchor) is normalised", () => {
      const [s, e] = find(SAMPLE, "families");
      const r = tools(SAMPLE).normalize(e + 1, s - 1);
      assert.deepEqual(r, { start: s, end: e, text: "families" });
    });

    test("offsets outside the text are clamped", () => {
      assert.deepEqual(tools("ab🔥").normalize(-5, 99), { start: 0, end: 3, text: "ab🔥" });
    });

    test("a space carrying a combining mark is visible text, not trimmed", () => {
      const text = "x \u0301y";
      assert.equal(tools(text).normalize(1, 4).text, " \u0301y");
    });
  });

  describe(`selection (${mode}): grapheme clusters are never split`, () => {
    test("a selection ending inside the ZWJ family takes the whole family", () => {
      const [s, e] = find(SAMPLE, "👨‍👩‍👧"); // 17..22 in code points
      const t = tools(SAMPLE);
      assert.deepEqual(t.normalize(s, s + 1), { start: s, end: e, text: "👨‍👩‍👧" });
      assert.deepEqual(t.normalize(s + 2, s + 3), { start: s, end: e, text: "👨‍👩‍👧" });
      assert.equal(t.isBoundary(s + 1), false);
      assert.equal(t.isBoundary(e), true);
    });

    test("e + U+0301 stays together", () => {
      const [s] = find(SAMPLE, "Cafe\u0301");
      const r = tools(SAMPLE).normalize(s, s + 4); // "Cafe" without the accent
      assert.equal(r.text, "Cafe\u0301");
      assert.equal(r.end, s + 5);
    });

    test("a flag (two regional indicators) stays together", () => {
      const text = "go 🇫🇷🇩🇪 now";
      const t = tools(text);
      assert.deepEqual(t.normalize(4, 5), { start: 3, end: 5, text: "🇫🇷" });
      assert.deepEqual(t.normalize(4, 6), { start: 3, end: 7, text: "🇫🇷🇩🇪" });
    });

    test("a DOM range with half a surrogate pair covers the whole emoji", () => {
      const at = SAMPLE.indexOf("💥");
      const r = tools(SAMPLE).fromUtf16(at + 1, at + 2);
      assert.deepEqual(r, { start: 143, end: 144, text: "💥" }); // python3: S.find('💥') == 143
    });

    test("DOM ranges of the sample's phrases give Python's offsets", () => {
      const t = tools(SAMPLE);
      for (const [phrase, start, end] of PYTHON_OFFSETS) {
        const at = SAMPLE.indexOf(phrase);
        assert.deepEqual(t.fromUtf16(at, at + phrase.length), { start, end, text: phrase });
      }
    });
  });

  describe(`selection (${mode}): snapping to words`, () => {
    const snap = { snapWords: true };

    test("a selection inside words extends to whole words", () => {
      const text = "while U.S.-led coalition protects them";
      const [s, e] = find(text, "coalition protects");
      const r = tools(text).normalize(s + 3, e - 2, snap);
      assert.deepEqual(r, { start: s, end: e, text: "coalition protects" });
    });

    test("without snapWords the raw (trimmed) range is kept", () => {
      const text = "coalition protects";
      assert.equal(tools(text).normalize(3, 12).text, "lition pr");
    });

    test("combining marks, RTL and astral letters count as word characters", () => {
      const t = tools(SAMPLE);
      for (const word of ["e\u0300vil", "Cafe\u0301", "الحرب", "שקרנים", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ñandú"]) {
        const [s, e] = find(SAMPLE, word);
        const r = t.normalize(s + 1, e - 1, snap);
        assert.deepEqual(r, { start: s, end: e, text: word }, word);
      }
    });

    test("a selection already on word boundaries does not grow", () => {
      const [s, e] = find(SAMPLE, "news");
      assert.equal(tools(SAMPLE).normalize(s, e, snap).text, "news");
      // Punctuation next to a word is not pulled in, nor is a neighbouring word.
      const [s2, e2] = find(SAMPLE, "«Ñandú»");
      assert.equal(tools(SAMPLE).normalize(s2, e2, snap).text, "«Ñandú»");
    });

    test("emoji selections are kept whole", () => {
      const [s, e] = find(SAMPLE, "🔥");
      assert.equal(tools(SAMPLE).normalize(s, e, snap).text, "🔥");
    });
  });

  describe(`selection (${mode}): keyboard caret movement`, () => {
    test("word-wise movement visits word ends to the right and word starts to the left", () => {
      const text = "Breaking 🔥 news: Café";
      const t = tools(text);
      const right = [];
      for (let p = 0; p < t.index.length; p = t.nextWordBoundary(p)) right.push(p);
      right.push(t.index.length);
      // Breaking|  🔥  news|: Café|
      assert.deepEqual(right, [0, 8, 15, 21]);
      const left = [];
      for (let p = t.index.length; p > 0; p = t.prevWordBoundary(p)) left.push(p);
      left.push(0);
      assert.deepEqual(left, [21, 17, 11, 0]);
    });

    test("word movement past the last word goes to the text's ends", () => {
      const t = tools("  hi.  ");
      assert.equal(t.nextWordBoundary(4), 7);
      assert.equal(t.prevWordBoundary(2), 0);
      assert.equal(t.wordAt(2)?.join(), "2,4");
      assert.equal(t.wordAt(5), null);
    });

    test("RTL words are stepped over in logical order", () => {
      const text = "قال المتحدث إن";
      const t = tools(text);
      assert.equal(t.nextWordBoundary(0), 3);
      assert.equal(t.nextWordBoundary(3), 11);
      assert.equal(t.prevWordBoundary(14), 12);
    });

    test("grapheme-wise movement steps over whole clusters", () => {
      const text = "a👨‍👩‍👧e\u0301🇫🇷";
      const t = tools(text);
      const stops = [0];
      for (let p = 0; p < t.index.length; ) stops.push((p = t.nextGrapheme(p)));
      assert.deepEqual(stops, [0, 1, 6, 8, 10]);
      const back = [10];
      for (let p = 10; p > 0; ) back.push((p = t.prevGrapheme(p)));
      assert.deepEqual(back, [10, 8, 6, 1, 0]);
    });
  });
}

describe("selection: helpers and long texts", () => {
  test("isWhitespace", () => {
    for (const ch of [" ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\u200b"]) {
      assert.ok(isWhitespace(ch), JSON.stringify(ch));
    }
    for (const ch of ["a", "\u200d", "\u0301", "🔥", "ا"]) assert.ok(!isWhitespace(ch));
  });

  test("normalizeSelection one-off form", () => {
    assert.equal(normalizeSelection(" ab cd ", 0, 5, { snapWords: true }).text, "ab cd");
  });

  test("a 100,000-character article without newlines segments like a short one", () => {
    const unit = "Café 👨‍👩‍👧 e\u0300vil الحرب 🇫🇷 ";
    const long = unit.repeat(Math.ceil(100_000 / unit.length));
    const t = createSelectionTools(long);
    const n = [...unit].length;
    const short = createSelectionTools(unit);
    // Every repetition must have the same clusters and words as the unit on its own.
    for (const k of [0, 1, 500, 3000]) {
      for (let i = 0; i < n; i++) {
        assert.equal(t.isBoundary(k * n + i), short.isBoundary(i), `boundary ${k}*${n}+${i}`);
        const word = t.wordAt(k * n + i)?.map((p) => p - k * n);
        assert.deepEqual(word, short.wordAt(i) ?? undefined, `word at ${k}*${n}+${i}`);
      }
    }
  });

  test("word movement crosses long stretches without words", () => {
    const text = "ab" + " 🔥,\n".repeat(1000) + " cd"; // many pieces (cut after LF), no words
    const t = createSelectionTools(text);
    const end = t.index.length;
    assert.equal(t.nextWordBoundary(2), end);
    assert.equal(t.prevWordBoundary(end), end - 2);
    assert.equal(t.prevWordBoundary(end - 2), 0);
    assert.deepEqual(t.wordAt(end - 2), [end - 2, end]);
  });

  test("a long text without spaces is still segmented (chunked at letters)", () => {
    const long = "中文文本".repeat(2000) + "👨‍👩‍👧";
    const t = createSelectionTools(long);
    const end = t.index.length;
    assert.deepEqual(t.normalize(end - 2, end - 1), {
      start: end - 5,
      end,
      text: "👨‍👩‍👧",
    });
  });
});
