/**
 * Words for the page: plurals, progress, and user text isolated from what surrounds it.
 *
 * Bidi isolation: an article may be Arabic or Hebrew; its text shown next to numbers (offsets,
 * counts) would reorder them ("(20–10)") unless isolated. In the DOM the pages wrap user text
 * in <bdi>; in strings (attributes, titles) isolate() wraps it in FIRST STRONG ISOLATE ... POP
 * DIRECTIONAL ISOLATE, which every current browser honours.
 */

const FSI = "\u2068";
const PDI = "\u2069";

/** "1 change", "3 changes" (or the given plural). */
export function plural(n, word, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}

/** User text as a bidi-isolated string. */
export function isolate(text) {
  return `${FSI}${text ?? ""}${PDI}`;
}

/** The header's progress: done and skipped apart ("2 of 5 done, 1 skipped"). */
export function progressText(mine) {
  if (!mine || !mine.total) return "";
  const skipped = mine.skipped ? `, ${mine.skipped} skipped` : "";
  return `${mine.done} of ${mine.total} done${skipped}`;
}

/** "[12, 40)" for a span's offsets (code points). */
export function offsetsText(span) {
  return `[${span.start}, ${span.end})`;
}

/**
 * A server error's words for a person: the messages of a DRF error body, with label keys
 * ("loaded_language") replaced by the labels' names.
 * @param {unknown} detail  a string, or {field: [messages]} (nested)
 * @param {Map<string, {name: string}>} labels
 */
export function humanizeDetail(detail, labels) {
  const messages = [];
  const walk = (value) => {
    if (typeof value === "string") messages.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(detail);
  const text = messages.join(" ");
  if (!labels || labels.size === 0) return text;
  return text.replace(/\b[a-z][a-z0-9_]*\b/g, (word) => labels.get(word)?.name ?? word);
}
