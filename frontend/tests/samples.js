// Shared Unicode test text: the same sample as tests/conftest.py (UNICODE_SAMPLE), so the browser
// modules are tested against exactly what the Python side is tested with.
export const SAMPLE =
  "Breaking 🔥 news: 👨‍👩‍👧 families flee.\n" +
  "Cafe\u0301 owners say «Ñandú» is e\u0300vil.\n" +
  "قال المتحدث إن الحرب عادلة\u00a0تماما.\n" +
  "עברית: הם שקרנים.\n" +
  "Price\u00a0rises are a 💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.";

// Code point offsets of phrases in SAMPLE, computed once with python3 (3.11) as
//   i = SAMPLE.find(w); (i, i + len(w))
// and pasted here; JavaScript must agree with Python's indexing.
export const PYTHON_OFFSETS = [
  ["🔥", 9, 10],
  ["👨‍👩‍👧", 17, 22],
  ["Cafe\u0301", 38, 43],
  ["«Ñandú»", 55, 62],
  ["e\u0300vil", 66, 71],
  ["الحرب", 88, 93],
  ["שקרנים", 117, 123],
  ["Price\u00a0rises", 125, 136],
  ["💥", 143, 144],
  ["𝔘𝔫𝔦𝔠𝔬𝔡𝔢", 157, 164],
];

// Python: len(SAMPLE) == 165, and it is 177 UTF-16 code units.
export const SAMPLE_CP_LENGTH = 165;
export const SAMPLE_UTF16_LENGTH = 177;
