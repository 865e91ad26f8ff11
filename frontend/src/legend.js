/**
 * What the labels in the text are: the legend of the labels in use, the names shown inline
 * above highlights, and the lines of the card shown on hover or focus of a highlight.
 * DOM-free; the pages draw these (annotate.js, review.js, spancard.js).
 */

/**
 * The labels used by `spans`, in palette order, with their number of spans.
 * @param {Iterable<{label: string}>} spans
 * @param {Map<string, {key: string, name: string, colour: string, order?: number}>} labels
 * @returns {{key: string, name: string, colour: string | undefined, count: number}[]}
 */
export function labelsInUse(spans, labels) {
  const counts = new Map();
  for (const span of spans) counts.set(span.label, (counts.get(span.label) ?? 0) + 1);
  const order = (key) => labels.get(key)?.order ?? Number.MAX_SAFE_INTEGER;
  return [...counts]
    .map(([key, count]) => ({
      key,
      name: labels.get(key)?.name ?? key,
      colour: labels.get(key)?.colour,
      count,
    }))
    .sort((a, b) => order(a.key) - order(b.key) || a.name.localeCompare(b.name));
}

/**
 * The inline tag of a segment: the names of the spans that start where it starts, innermost
 * first, or "" (a span's name is shown once, above its first character).
 * @param {{start: number}} segment
 * @param {Array<string>} ids  the segment's spans, by level (outermost first)
 * @param {(id: string) => {start: number, label: string} | undefined} spanOf
 * @param {(label: string) => string} nameOf
 */
export function inlineTag(segment, ids, spanOf, nameOf) {
  const names = [];
  for (let i = ids.length - 1; i >= 0; i--) {
    const span = spanOf(ids[i]);
    if (span && span.start === segment.start) names.push(nameOf(span.label));
  }
  return names.join(" · ");
}
