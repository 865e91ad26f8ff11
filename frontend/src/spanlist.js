/**
 * The span list beside the text: position order, a label filter, click to go to a span.
 * Articles may have thousands of spans, so only the rows in view (plus a margin) are in the
 * DOM; rows have a fixed height (app.css) and sit at absolute positions in a list as tall as
 * all of them.
 */

import { safeColour } from "./palette.js";

const ROW = 46; // px, as in app.css
const MARGIN = 15; // rows drawn above and below the visible ones
const EXCERPT = 120;

export function byPosition(a, b) {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

export class SpanList {
  /**
   * @param {HTMLElement} box  the scrolling container
   * @param {HTMLOListElement} list
   * @param {{labels: Map<string, object>, onPick: (clientId: string) => void}} options
   */
  constructor(box, list, { labels, onPick }) {
    this.box = box;
    this.list = list;
    this.labels = labels;
    this.onPick = onPick;
    this.items = [];
    this.selected = null;
    this.drawn = "";
    box.addEventListener("scroll", () => this.draw(), { passive: true });
  }

  /** Show `spans` (already in position order) keeping those of label `filter` (or all). */
  set(spans, filter, selected) {
    this.items = filter ? spans.filter((s) => s.label === filter) : spans;
    this.selected = selected;
    this.drawn = "";
    this.list.style.height = `${this.items.length * ROW}px`;
    this.draw();
    return this.items.length;
  }

  draw() {
    const top = this.box.scrollTop;
    const height = this.box.clientHeight || 800;
    const first = Math.max(0, Math.floor(top / ROW) - MARGIN);
    const last = Math.min(this.items.length, Math.ceil((top + height) / ROW) + MARGIN);
    const key = `${first}-${last}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.append(this.row(this.items[i], i));
    this.list.replaceChildren(fragment);
  }

  row(span, i) {
    const label = this.labels.get(span.label);
    const li = document.createElement("li");
    li.style.top = `${i * ROW}px`;
    li.setAttribute("aria-posinset", String(i + 1));
    li.setAttribute("aria-setsize", String(this.items.length));
    const button = document.createElement("button");
    button.type = "button";
    button.className = span.client_id === this.selected ? "span-item sel" : "span-item";
    button.dataset.clientId = span.client_id;
    button.setAttribute("aria-pressed", String(span.client_id === this.selected));
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.backgroundColor = safeColour(label?.colour);
    const name = document.createElement("span");
    name.className = "span-label";
    name.textContent = label?.name ?? span.label;
    const text = document.createElement("span");
    text.className = "span-text";
    text.textContent = span.text.length > EXCERPT ? `${span.text.slice(0, EXCERPT)}…` : span.text;
    button.append(chip, name, text);
    if (span.note) {
      const note = document.createElement("span");
      note.className = "span-note";
      note.textContent = `Note: ${span.note}`;
      button.append(note);
    }
    button.title = span.text;
    button.addEventListener("click", () => this.onPick(span.client_id));
    li.append(button);
    return li;
  }

  /** Scroll the list so that the span's row is in view. */
  reveal(clientId) {
    const i = this.items.findIndex((s) => s.client_id === clientId);
    if (i < 0) return;
    const top = i * ROW;
    if (top < this.box.scrollTop || top + ROW > this.box.scrollTop + this.box.clientHeight) {
      this.box.scrollTop = Math.max(0, top - this.box.clientHeight / 2);
    }
  }
}
