/**
 * The card over a highlight: the names of the labels under the pointer (or of the span selected
 * from the keyboard) with their notes, so that nobody needs to tell colours apart to read the
 * text (#14). One card per page, positioned above the segment, role="tooltip"; the text gets
 * aria-describedby pointing at it while it shows a keyboard-selected span.
 */

import { bdi, chip, el } from "./dom.js";

export class SpanCard {
  /**
   * @param {HTMLElement} textEl  the article text (render.js TextView container)
   * @param {(ids: string[]) => {name: string, colour: string, detail?: string}[]} describe
   *   lines for the spans `ids` (innermost first)
   * @param {(el: Element) => string[]} spansAt  ids of the spans under a segment element
   */
  constructor(textEl, describe, spansAt) {
    this.textEl = textEl;
    this.describe = describe;
    this.spansAt = spansAt;
    this.card = el("div", "span-card");
    this.card.id = `${textEl.id}-card`;
    this.card.setAttribute("role", "tooltip");
    this.card.hidden = true;
    document.body.append(this.card);
    this.pinned = null; // [ids, element] shown for the keyboard selection
    textEl.addEventListener("mouseover", (event) => this.hover(event.target));
    textEl.addEventListener("mouseleave", () => this.restore());
    window.addEventListener("scroll", () => this.restore(), { passive: true });
  }

  hover(target) {
    const seg = target.closest?.(".seg");
    if (!seg) {
      this.restore();
      return;
    }
    this.show(this.spansAt(seg), seg);
  }

  /** Show the card for a keyboard-selected span (null hides it). */
  pin(ids, anchor) {
    this.pinned = ids && anchor ? [ids, anchor] : null;
    if (this.pinned) this.textEl.setAttribute("aria-describedby", this.card.id);
    else this.textEl.removeAttribute("aria-describedby");
    this.restore();
  }

  restore() {
    if (this.pinned && this.pinned[1].isConnected) this.show(...this.pinned);
    else this.hide();
  }

  show(ids, anchor) {
    const lines = this.describe(ids);
    if (lines.length === 0) {
      this.hide();
      return;
    }
    const items = lines.map(({ name, colour, detail }) => {
      const row = el("div", "card-line");
      row.append(chip(colour), el("strong", null, name));
      if (detail) row.append(" ", bdi(detail, "card-detail"));
      return row;
    });
    this.card.replaceChildren(...items);
    this.card.hidden = false;
    const rect = anchor.getBoundingClientRect();
    const box = this.card.getBoundingClientRect();
    const left = Math.max(4, Math.min(rect.left, window.innerWidth - box.width - 4));
    const above = rect.top - box.height - 6;
    const top = above >= 4 ? above : rect.bottom + 6;
    this.card.style.left = `${left + window.scrollX}px`;
    this.card.style.top = `${top + window.scrollY}px`;
  }

  hide() {
    this.card.hidden = true;
  }
}
