/**
 * Diff suggestions on the annotation page: the words the article inserted or substituted relative
 * to its original_text (GET /api/v1/articles/<id>/suggestions/), drawn as dashed underlines over
 * the text and listed beside it. Accepting one creates a normal span (origin "suggestion") through
 * the page's own create path; dismissing hides it for this user in this browser (localStorage).
 * Deletions are marked where the removed words stood.
 *
 * Keys, while a suggestion is picked: y or Enter accept it as its label (inserted_phrase /
 * substituted_phrase), a label key accepts it as that label, x dismisses it, Esc lets it go.
 * { and } pick the previous / next suggestion.
 *
 * The marks are an overlay (pointer-events: none) positioned from DOM ranges, so the text's own
 * rendering (render.js) is untouched; they are redrawn after every change and on resize.
 */

import { api } from "./api.js";
import { markLayer, rangeMarks } from "./marks.js";
import { onPickKey } from "./picking.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const keyOf = (s) => `${s.kind}:${s.start}-${s.end}`;

export class Suggestions {
  /**
   * @param {{articleId: number, userId: string, view: import("./render.js").TextView,
   *   doc: HTMLElement, panelParent: HTMLElement, before: Element|null,
   *   labels: Map<string, object>, hotkeys: Map<string, string>,
   *   spans: () => Iterable<{start: number, end: number}>,
   *   accept: (suggestion: object, label: string) => void, onPick?: () => void}} options
   *   onPick: called when the annotator picks a suggestion (recommendations let theirs go)
   */
  constructor(options) {
    Object.assign(this, options);
    this.items = [];
    this.deletions = [];
    this.current = null; // key of the picked suggestion
    this.storageKey = `annotator.dismissed.${options.userId}.${options.articleId}`;
    this.dismissed = new Set(this.readDismissed());
    this.layer = markLayer(this.doc, "suggestion-layer");
    this.panel = document.createElement("section");
    this.panel.id = "suggestions";
    this.panel.setAttribute("aria-label", "Suggestions from the original");
    this.panel.hidden = true;
    this.panelParent.insertBefore(this.panel, this.before);
    new ResizeObserver(() => this.draw()).observe(this.view.container);
  }

  readDismissed() {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey)) ?? [];
    } catch {
      return [];
    }
  }

  async load() {
    let data;
    try {
      data = await api(`/articles/${this.articleId}/suggestions/`);
    } catch {
      return; // offline or refused: the page works without suggestions
    }
    this.items = data.suggestions;
    this.deletions = data.deletions;
    this.draw();
  }

  /** Suggestions still open: not dismissed, and no span of this layer at exactly their range. */
  open() {
    const taken = new Set([...this.spans()].map((s) => `${s.start}-${s.end}`));
    return this.items.filter((s) => !this.dismissed.has(keyOf(s)) && !taken.has(`${s.start}-${s.end}`));
  }

  draw() {
    const open = this.open();
    if (this.current && !open.some((s) => keyOf(s) === this.current)) this.current = null;
    this.drawMarks(open);
    this.drawPanel(open);
  }

  drawMarks(open) {
    const origin = this.doc.getBoundingClientRect();
    const marks = rangeMarks(this.view, this.doc, open, (s) => ({
      className: `suggestion-mark ${s.kind}${keyOf(s) === this.current ? " current" : ""}`,
      key: keyOf(s),
    }));
    for (const d of this.deletions) {
      const rect = this.view.range(d.at, d.at).getBoundingClientRect();
      const mark = document.createElementNS(SVG_NS, "svg");
      mark.setAttribute("class", "deletion-mark");
      mark.setAttribute("viewBox", "0 0 10 10");
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", "M0 10 L5 2 L10 10 Z"); // a caret under the gap
      mark.append(path);
      mark.style.left = `${rect.left - origin.left - 5}px`;
      mark.style.top = `${rect.bottom - origin.top - 4}px`;
      marks.push(mark);
    }
    this.layer.replaceChildren(...marks);
  }

  drawPanel(open) {
    this.panel.hidden = this.items.length === 0 && this.deletions.length === 0;
    const heading = document.createElement("h2");
    heading.textContent = `Suggestions (${open.length})`;
    const help = document.createElement("p");
    help.className = "hint";
    help.textContent = "Pick one, then y accepts, a label key accepts as that label, x dismisses; { } move.";
    const list = document.createElement("ol");
    list.id = "suggestion-list";
    for (const s of open) {
      const li = document.createElement("li");
      li.className = `suggestion ${s.kind}`;
      li.dataset.key = keyOf(s);
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "suggestion-pick";
      pick.setAttribute("aria-pressed", String(keyOf(s) === this.current));
      const what = s.kind === "inserted" ? "Inserted" : `Substituted for “${s.original}”`;
      pick.textContent = `${what}: “${s.text}”`;
      pick.addEventListener("click", () => this.pick(keyOf(s)));
      const accept = document.createElement("button");
      accept.type = "button";
      accept.className = "suggestion-accept";
      accept.textContent = `Accept as ${this.labels.get(s.label)?.name ?? s.label}`;
      accept.disabled = !this.labels.has(s.label);
      accept.addEventListener("click", () => this.accept(s, s.label));
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "suggestion-dismiss";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", () => this.dismiss(s));
      li.append(pick, accept, dismiss);
      list.append(li);
    }
    for (const d of this.deletions) {
      const li = document.createElement("li");
      li.className = "suggestion deleted";
      li.textContent = `Deleted at ${d.at}: “${d.original}”`;
      list.append(li);
    }
    this.panel.replaceChildren(heading, help, list);
  }

  pick(key) {
    this.current = key;
    if (key) this.onPick?.();
    this.draw();
    const mark = this.layer.querySelector(`.suggestion-mark[data-key="${key}"]`);
    mark?.scrollIntoView({ block: "center" });
  }

  /** Let the picked suggestion go (the annotator picked a recommendation). */
  release() {
    if (this.current === null) return;
    this.current = null;
    this.draw();
  }

  step(direction) {
    const open = this.open();
    if (open.length === 0) return;
    const at = open.findIndex((s) => keyOf(s) === this.current);
    const next = at < 0 ? (direction > 0 ? 0 : open.length - 1) : (at + direction + open.length) % open.length;
    this.pick(keyOf(open[next]));
  }

  dismiss(s) {
    this.dismissed.add(keyOf(s));
    try {
      localStorage.setItem(this.storageKey, JSON.stringify([...this.dismissed]));
    } catch {
      // Storage disabled: dismissed for this visit only.
    }
    this.draw();
  }

  /** Handle a key for the picked suggestion; true if it was one of ours. */
  onKey(event) {
    return onPickKey(event, {
      next: "}",
      previous: "{",
      canStep: this.items.length > 0,
      picked: this.open().find((x) => keyOf(x) === this.current),
      labels: this.labels,
      hotkeys: this.hotkeys,
      step: (direction) => this.step(direction),
      accept: (s, label) => this.accept(s, label),
      drop: (s) => this.dismiss(s),
      letGo: () => {
        this.current = null;
        this.draw();
      },
    });
  }
}
