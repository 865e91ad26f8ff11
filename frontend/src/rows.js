/**
 * The review page's per-annotator rows (INCEpTION's curation view): under each paragraph of the
 * text, one line per annotator with that paragraph's words and only that annotator's spans, so
 * that who marked what can be compared at a glance. Rows are drawn after the TextView's blocks
 * (render.js maps any point in them to the text position before them), cannot be selected
 * (app.css), and are hidden from screen readers, which have the candidate list with the same
 * facts.
 */

import { el } from "./dom.js";
import { layoutSpans } from "./spanlayout.js";

export class AnnotatorRows {
  /**
   * @param {import("./render.js").TextView} view
   * @param {{colourOf: (label: string) => string}} options
   */
  constructor(view, { colourOf }) {
    this.view = view;
    this.colourOf = colourOf;
    this.boxes = [];
  }

  clear() {
    for (const box of this.boxes) box.remove();
    this.boxes = [];
  }

  /**
   * @param {{name: string, spans: {id: string, start: number, end: number, label: string}[]}[]}
   *   layers  one per annotator, in display order
   */
  draw(layers) {
    this.clear();
    const index = this.view.index;
    const laid = layers.map((layer) => {
      const byId = new Map(layer.spans.map((s) => [s.id, s]));
      return { name: layer.name, byId, ...layoutSpans(layer.spans, index.length) };
    });
    const cursors = laid.map(() => 0);
    for (const block of this.view.blocks) {
      const text = index.slice(block.start, block.end);
      const end = block.start + [...text.replace(/\n+$/, "")].length; // rows leave newlines out
      if (end <= block.start) continue;
      const box = el("div", "rows");
      box.setAttribute("aria-hidden", "true");
      laid.forEach((layer, n) => {
        const row = el("div", "row");
        row.append(el("span", "row-name", layer.name));
        const segs = layer.segments;
        let k = cursors[n];
        while (k < segs.length && segs[k].end <= block.start) k++;
        cursors[n] = k;
        for (let j = k; j < segs.length && segs[j].start < end; j++) {
          const s = Math.max(segs[j].start, block.start);
          const e = Math.min(segs[j].end, end);
          const piece = index.slice(s, e);
          if (segs[j].spans.length === 0) {
            row.append(piece);
            continue;
          }
          const parts = segs[j].spans.map((id) => [layer.levels.get(id), this.colourOf(layer.byId.get(id).label)]);
          const seg = el("span", `row-seg ${this.view.styles.classFor(parts)}`, piece);
          seg.spanIds = [...segs[j].spans].reverse(); // innermost first
          row.append(seg);
        }
        box.append(row);
      });
      block.el.after(box);
      this.boxes.push(box);
    }
  }
}
