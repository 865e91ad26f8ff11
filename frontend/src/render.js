/**
 * The article text in the DOM. The text is split into blocks (one per line, newlines kept, shown
 * with white-space: pre-wrap) and each block into segments cut at span boundaries (spanlayout.js).
 * Built once per article; after a change only the blocks whose segments differ are rebuilt.
 * Text is only ever inserted as text nodes, never parsed as HTML.
 *
 * Positions: the DOM counts UTF-16 units; spans count code points (offsets.js converts).
 */

import { inlineTag } from "./legend.js";
import { layoutSpans } from "./spanlayout.js";

const BAND = 4; // px between stacked underlines
const THICK = 3; // px of one underline
const TINT = "26"; // alpha of the innermost label's tint (15%): "something is here"

let sheets = 0;

/**
 * Segment styles as classes of a constructed style sheet: stacked underlines, one per span at
 * its level, plus a tint of the innermost label. Few combinations of (level, colour) repeat over
 * thousands of segments, and a class costs far less to apply than a parsed inline style (the
 * review page with 1,500 spans renders in half the time). The CSP allows constructed sheets.
 */
export class SegmentStyles {
  constructor() {
    this.sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
    this.prefix = `sg${++sheets}-`;
    this.classes = new Map();
  }

  /** The class of a segment covered by `parts`: [level, colour] per span. */
  classFor(parts) {
    const key = parts.map((p) => p.join(" ")).join(",");
    let name = this.classes.get(key);
    if (!name) {
      name = `${this.prefix}${this.classes.size}`;
      const depth = Math.max(...parts.map(([level]) => level)) + 1;
      const layers = parts.map(
        ([level, colour]) =>
          `linear-gradient(${colour}, ${colour}) 0 calc(100% - ${level * BAND}px) / 100% ${THICK}px no-repeat`,
      );
      const [, inner] = parts.reduce((a, b) => (b[0] > a[0] ? b : a));
      layers.push(`linear-gradient(${inner}${TINT}, ${inner}${TINT})`);
      const rule = `.${name} { background: ${layers.join(", ")}; padding-bottom: ${depth * BAND}px; }`;
      this.sheet.insertRule(rule, this.sheet.cssRules.length);
      this.classes.set(key, name);
    }
    return name;
  }
}

/** [start16, end16) of the blocks: each ends after a run of newlines (or at the text's end). */
function blockBounds(text) {
  const bounds = [];
  const re = /\n+/g;
  let from = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    bounds.push([from, m.index + m[0].length]);
    from = m.index + m[0].length;
  }
  if (from < text.length || bounds.length === 0) bounds.push([from, text.length]);
  return bounds;
}

function bisectRight(items, x, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TextView {
  /**
   * @param {HTMLElement} container
   * @param {ReturnType<import("./offsets.js").makeOffsetIndex>} index
   * @param {{colourOf: (label: string) => string, nameOf?: (label: string) => string,
   *   images?: object[]}} options
   *   nameOf: label names for the inline tags above highlights (shown when the container has
   *   the class "names", app.css)
   */
  constructor(container, index, options) {
    this.container = container;
    this.index = index;
    this.text = index.text;
    this.colourOf = options.colourOf;
    this.nameOf = options.nameOf ?? null;
    this.styles = new SegmentStyles();
    this.spans = new Map();
    this.selected = null;
    this.levels = new Map();
    this.nodeStart = new WeakMap(); // text node -> its UTF-16 offset in the text
    const fragment = document.createDocumentFragment();
    this.blocks = blockBounds(this.text).map(([start16, end16]) => {
      const el = document.createElement("div");
      el.className = "block";
      fragment.append(el);
      return {
        start16,
        end16,
        start: index.toCp(start16),
        end: index.toCp(end16),
        el,
        sig: null,
        pieces: [],
      };
    });
    this.addImages(fragment, options.images ?? []);
    container.replaceChildren(fragment);
  }

  /** Each image floats beside the block holding the start of its caption. */
  addImages(fragment, images) {
    for (const image of images) {
      const src = image.file || image.url;
      if (!src) continue;
      const figure = document.createElement("figure");
      figure.className = "article-image";
      const img = document.createElement("img");
      img.src = src;
      img.alt = image.caption ?? "";
      img.loading = "lazy";
      figure.append(img);
      const at = Number.isInteger(image.caption_start) ? image.caption_start : 0;
      const block = this.blocks[Math.max(0, bisectRight(this.blocks, at, (b) => b.start) - 1)];
      fragment.insertBefore(figure, block.el);
    }
  }

  /**
   * Show `spans` (Map client_id -> {start, end, label}); `selected` is a client_id or null.
   * Returns the number of blocks rebuilt.
   */
  update(spans, selected) {
    this.spans = spans;
    this.selected = selected;
    const layout = layoutSpans(
      [...spans.values()].map((s) => ({ id: s.client_id, start: s.start, end: s.end })),
      this.index.length,
    );
    this.levels = layout.levels;
    let k = 0;
    let rebuilt = 0;
    const segs = layout.segments;
    for (const block of this.blocks) {
      const pieces = [];
      while (k < segs.length && segs[k].end <= block.start) k++;
      for (let j = k; j < segs.length && segs[j].start < block.end; j++) {
        const s = segs[j];
        pieces.push({
          start: Math.max(s.start, block.start),
          end: Math.min(s.end, block.end),
          ids: s.spans,
        });
      }
      const sig = pieces.map((p) => `${p.start}-${p.end}:${p.ids.map((id) => this.idSig(id)).join(",")}`).join("|");
      if (sig !== block.sig) {
        this.renderBlock(block, pieces);
        block.sig = sig;
        rebuilt++;
      }
    }
    return rebuilt;
  }

  idSig(id) {
    const s = this.spans.get(id);
    return `${id}/${this.levels.get(id)}/${s.label}${id === this.selected ? "*" : ""}`;
  }

  renderBlock(block, pieces) {
    const fragment = document.createDocumentFragment();
    block.pieces = [];
    for (const p of pieces) {
      const start16 = this.index.toUtf16(p.start);
      const node = document.createTextNode(this.text.slice(start16, this.index.toUtf16(p.end)));
      block.pieces.push({ start16, node });
      this.nodeStart.set(node, start16);
      if (p.ids.length === 0) {
        fragment.append(node);
        continue;
      }
      const el = document.createElement("span");
      el.className = `${p.ids.includes(this.selected) ? "seg sel" : "seg"} ${this.styleOf(p.ids)}`;
      el.spanIds = p.ids;
      if (this.nameOf) {
        const tag = inlineTag(p, p.ids, (id) => this.spans.get(id), this.nameOf);
        if (tag) el.dataset.tag = tag;
      }
      el.append(node);
      fragment.append(el);
    }
    block.el.replaceChildren(fragment);
  }

  /** The style class of a segment covered by `ids` (SegmentStyles). */
  styleOf(ids) {
    return this.styles.classFor(ids.map((id) => [this.levels.get(id), this.colourOf(this.spans.get(id).label)]));
  }

  /** The DOM point {node, offset} of code point `cp`. */
  point(cp) {
    const u16 = this.index.toUtf16(cp);
    let b = bisectRight(this.blocks, u16, (x) => x.start16) - 1;
    // A position at a block's end is the next block's start; prefer the earlier block's end.
    while (b > 0 && this.blocks[b].start16 === u16 && this.blocks[b - 1].pieces.length) b--;
    const block = this.blocks[Math.max(0, b)];
    if (block.pieces.length === 0) return { node: block.el, offset: 0 };
    const i = Math.max(0, bisectRight(block.pieces, u16, (p) => p.start16) - 1);
    const piece = block.pieces[i];
    return { node: piece.node, offset: Math.min(u16 - piece.start16, piece.node.length) };
  }

  /** A DOM Range covering code points [start, end). */
  range(start, end) {
    const r = document.createRange();
    const a = this.point(start);
    const b = this.point(end);
    r.setStart(a.node, a.offset);
    r.setEnd(b.node, b.offset);
    return r;
  }

  /**
   * UTF-16 offset in the text of a DOM point, clamped to the text. A point inside one of the
   * text's nodes is direct; any other point (between elements, in an image, in what a page adds
   * between the blocks such as review rows) counts as the text position just before it, found
   * by binary search over the blocks and their pieces.
   */
  offset16(node, offset) {
    const start = this.nodeStart.get(node);
    if (start !== undefined) return start + offset;
    const probe = document.createRange();
    // -1: the point is before `n` starts; 0: at its start; 1: after its start.
    const vsStart = (n) => {
      probe.setStartBefore(n);
      probe.collapse(true);
      return probe.comparePoint(node, offset);
    };
    const vsEnd = (n) => {
      probe.setStartAfter(n);
      probe.collapse(true);
      return probe.comparePoint(node, offset);
    };
    const lastStartingBefore = (items, elOf) => {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (vsStart(elOf(items[mid])) >= 0) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    };
    const all = document.createRange();
    all.selectNodeContents(this.container);
    const where = all.comparePoint(node, offset);
    if (where < 0) return 0;
    if (where > 0) return this.text.length;
    const b = lastStartingBefore(this.blocks, (x) => x.el);
    if (b < 0) return 0;
    const block = this.blocks[b];
    if (vsEnd(block.el) >= 0 || block.pieces.length === 0) {
      return vsEnd(block.el) >= 0 ? block.end16 : block.start16;
    }
    const k = lastStartingBefore(block.pieces, (p) => p.node);
    if (k < 0) return block.start16;
    const piece = block.pieces[k];
    return vsStart(piece.node) === 0 ? piece.start16 : piece.start16 + piece.node.length;
  }

  /** [start16, end16] of a DOM range clamped to the text, or null if it misses the text. */
  utf16Range(range) {
    if (!range.intersectsNode(this.container)) return null;
    const s = this.offset16(range.startContainer, range.startOffset);
    const e = this.offset16(range.endContainer, range.endOffset);
    return s < e ? [s, e] : null;
  }

  /** The segment elements of one span, in text order. */
  elementsOf(clientId) {
    const span = this.spans.get(clientId);
    if (!span) return [];
    const out = [];
    for (const block of this.blocks) {
      if (block.end <= span.start || block.start >= span.end) continue;
      for (const el of block.el.children) if (el.spanIds?.includes(clientId)) out.push(el);
    }
    return out;
  }

  /** The spans covering the segment element `el`, innermost (highest level) first. */
  spansAt(el) {
    const seg = el?.closest?.(".seg");
    if (!seg || !this.container.contains(seg)) return [];
    return [...seg.spanIds].sort((a, b) => this.levels.get(b) - this.levels.get(a));
  }
}
