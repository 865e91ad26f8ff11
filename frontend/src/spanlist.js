/**
 * The span list beside the text: position order, a label filter, click to go to a span. Each row
 * shows the label's name and the whole phrase, wrapping (#14: rows cut the text to a few
 * characters), its note and how many comments it has.
 *
 * Articles may have thousands of spans: rows are kept per span and rebuilt only when what they
 * show changes, and the browser skips laying out rows out of view (content-visibility: auto in
 * app.css), so a change costs the changed rows, not the list.
 */

import { bdi, chip, el } from "./dom.js";
import { safeColour } from "./palette.js";
import { plural } from "./text.js";

export function byPosition(a, b) {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

export class SpanList {
  /**
   * @param {HTMLElement} box  the scrolling container
   * @param {HTMLOListElement} list
   * @param {{labels: Map<string, object>, onPick: (clientId: string) => void,
   *   comments?: (span: object) => number}} options
   */
  constructor(box, list, { labels, onPick, comments }) {
    this.box = box;
    this.list = list;
    this.labels = labels;
    this.onPick = onPick;
    this.comments = comments ?? (() => 0);
    this.items = [];
    this.rows = new Map(); // client_id -> <li> with its .sig
    list.addEventListener("click", (event) => {
      const button = event.target.closest?.(".span-item");
      if (button) this.onPick(button.dataset.clientId);
    });
  }

  /** Show `spans` (already in position order) keeping those of label `filter` (or all). */
  set(spans, filter, selected) {
    this.items = filter ? spans.filter((s) => s.label === filter) : spans;
    const rows = new Map();
    const next = this.items.map((span) => {
      const comments = this.comments(span);
      const sig = `${span.label}|${span.start}|${span.end}|${span.note ?? ""}|${comments}|${span.client_id === selected}`;
      let li = this.rows.get(span.client_id);
      if (!li || li.sig !== sig) {
        li = this.row(span, span.client_id === selected, comments);
        li.sig = sig;
      }
      rows.set(span.client_id, li);
      return li;
    });
    for (const [cid, li] of this.rows) if (rows.get(cid) !== li) li.remove();
    this.rows = rows;
    this.place(next);
    return this.items.length;
  }

  /**
   * Put the rows in order with as few DOM moves as a typical edit needs (one added, removed
   * or changed span: one move), instead of re-inserting thousands of rows.
   */
  place(next) {
    const list = this.list;
    let child = list.firstElementChild;
    for (const li of next) {
      if (child === li) {
        child = child.nextElementSibling;
        continue;
      }
      list.insertBefore(li, child);
    }
    while (child) {
      const after = child.nextElementSibling;
      child.remove();
      child = after;
    }
  }

  row(span, selected, comments) {
    const label = this.labels.get(span.label);
    const li = el("li");
    const button = el("button", selected ? "span-item sel" : "span-item");
    button.type = "button";
    button.dataset.clientId = span.client_id;
    button.setAttribute("aria-pressed", String(selected));
    const head = el("span", "span-head");
    head.append(chip(safeColour(label?.colour)), el("span", "span-label", label?.name ?? span.label));
    if (comments) head.append(el("span", "span-comments", plural(comments, "comment")));
    button.append(head, bdi(span.text, "span-text"));
    if (span.note) {
      const note = el("span", "span-note", "Note: ");
      note.append(bdi(span.note));
      button.append(note);
    }
    li.append(button);
    return li;
  }

  /** Scroll the list so that the span's row is in view. */
  reveal(clientId) {
    const li = this.rows.get(clientId);
    if (!li) return;
    const top = li.offsetTop; // the box is the rows' offset parent (app.css)
    const bottom = top + li.offsetHeight;
    if (top < this.box.scrollTop || bottom > this.box.scrollTop + this.box.clientHeight) {
      this.box.scrollTop = Math.max(0, top - this.box.clientHeight / 2);
    }
  }
}
