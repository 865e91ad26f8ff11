/**
 * Overlay marks over the article text: one absolutely positioned box per line box of a
 * code-point range, placed from the DOM range's client rects. Diff suggestions
 * (suggestions.js) and recommendations (recommendations.js) draw their candidates this way,
 * so the text's own rendering (render.js) and its performance are untouched.
 */

/**
 * Boxes for `items` ({start, end} in code points) in a layer inside `doc`.
 * @param {import("./render.js").TextView} view
 * @param {HTMLElement} doc  the positioned ancestor of the layer
 * @param {object[]} items
 * @param {(item: object) => {className: string, key: string, colour?: string}} style
 */
export function rangeMarks(view, doc, items, style) {
  const origin = doc.getBoundingClientRect();
  const marks = [];
  for (const item of items) {
    const { className, key, colour } = style(item);
    for (const rect of view.range(item.start, item.end).getClientRects()) {
      if (rect.width < 1) continue;
      const mark = document.createElement("div");
      mark.className = className;
      mark.dataset.key = key;
      mark.style.left = `${rect.left - origin.left}px`;
      mark.style.top = `${rect.top - origin.top}px`;
      mark.style.width = `${rect.width}px`;
      mark.style.height = `${rect.height}px`;
      if (colour) mark.style.borderColor = colour;
      marks.push(mark);
    }
  }
  return marks;
}

/** A layer for marks inside `doc`, hidden from assistive technology (the lists say it all). */
export function markLayer(doc, className) {
  const layer = document.createElement("div");
  layer.className = className;
  layer.setAttribute("aria-hidden", "true");
  doc.append(layer);
  return layer;
}
