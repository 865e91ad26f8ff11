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
    for (const rect of lineBoxes(view.range(item.start, item.end).getClientRects())) {
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

/**
 * One box per line: a range's client rects repeat for every element and text node it crosses
 * (a recommendation over two spans' segments gives several); those on the same line that touch
 * are merged, so a candidate is one outline per line and the overlay holds few elements.
 */
export function lineBoxes(rects) {
  const boxes = [];
  const sorted = [...rects].filter((r) => r.width >= 1).sort((a, b) => a.top - b.top || a.left - b.left);
  for (const r of sorted) {
    const last = boxes.at(-1);
    // An element's box is taller than its text's (the underlines' padding): same line when
    // they overlap by half the shorter one.
    const overlap = last ? Math.min(r.bottom, last.bottom) - Math.max(r.top, last.top) : 0;
    const sameLine = last && overlap > 0.5 * Math.min(r.bottom - r.top, last.bottom - last.top);
    if (sameLine && r.left <= last.right + 1) {
      last.right = Math.max(last.right, r.right);
      last.top = Math.min(last.top, r.top);
      last.bottom = Math.max(last.bottom, r.bottom);
    } else {
      boxes.push({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
    }
  }
  return boxes.map((b) => ({ ...b, width: b.right - b.left, height: b.bottom - b.top }));
}

/** A layer for marks inside `doc`, hidden from assistive technology (the lists say it all). */
export function markLayer(doc, className) {
  const layer = document.createElement("div");
  layer.className = className;
  layer.setAttribute("aria-hidden", "true");
  doc.append(layer);
  return layer;
}
