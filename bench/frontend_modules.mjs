// Figures for the annotation page's pure modules on a 100,000-character article.
// Run: node bench/frontend_modules.mjs
// Prints timings; asserts nothing (the unit tests in frontend/tests/ check correctness).
import { makeOffsetIndex } from "../frontend/src/offsets.js";
import { createSelectionTools } from "../frontend/src/selection.js";
import { layoutSpans } from "../frontend/src/spanlayout.js";

const UNIT =
  "Breaking 🔥 news: 👨‍👩‍👧 families flee. Cafe\u0301 owners say «Ñandú» is e\u0300vil. " +
  "قال المتحدث إن الحرب عادلة\u00a0تماما. עברית: הם שקרנים. Price\u00a0rises 💥 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.\n";
const text = UNIT.repeat(Math.ceil(100_000 / UNIT.length)).slice(0, 100_000);

function time(label, fn, repeat = 1) {
  const t0 = performance.now();
  let out;
  for (let i = 0; i < repeat; i++) out = fn();
  const ms = (performance.now() - t0) / repeat;
  console.log(`${label.padEnd(58)} ${ms.toFixed(3).padStart(9)} ms`);
  return out;
}

console.log(`text: ${text.length} UTF-16 units`);
const index = time("makeOffsetIndex (100,000 units)", () => makeOffsetIndex(text), 20);
console.log(`      ${index.length} code points, ${index.astralCount} astral`);
time("100,000 x toCp + toUtf16", () => {
  let sum = 0;
  for (let i = 0; i < 100_000; i++) sum += index.toUtf16(index.toCp(i % text.length));
  return sum;
});
const tools = createSelectionTools(text, { index });
time("selection: create tools + first normalize (one piece)", () =>
  tools.normalize(5000, 5010, { snapWords: true }),
);
time("selection: 10,000 x normalize+snapWords, whole text", () => {
  for (let i = 0; i < 10_000; i++) tools.normalize(i * 9, i * 9 + 15, { snapWords: true });
});
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const spans = Array.from({ length: 2000 }, (_, id) => {
  const start = Math.floor(random() * (index.length - 300));
  return { id, start, end: start + 1 + Math.floor(random() * 300) };
});
const layout = time("layoutSpans: 2,000 spans over 100,000 characters", () =>
  layoutSpans(spans, index.length), 20);
console.log(`      ${layout.segments.length} segments, ${layout.depth} levels`);
