/**
 * Recommendations on the annotation page: spans the project's recommenders propose
 * (GET /api/v1/articles/<id>/recommendations/), drawn as dashed outlines in the label's colour
 * over the text (diff suggestions are dashed underlines) and listed in their own section with
 * the score and the recommender's name. Accepting one creates a normal span with origin
 * "recommender" and the model that proposed it, through the page's own create path; rejecting
 * one hides it at once and tells the server (POST .../recommendations/reject/), which never
 * proposes it again for this annotator and article.
 *
 * Keys: . and , pick the next / previous recommendation; while one is picked, Enter or y accept
 * it as its label, a label key accepts it as that label, x rejects it, Esc lets it go. After an
 * accept or a reject the next one is picked, so a run of them takes one key each.
 *
 * The project decides whether annotators see them (off, always, or after they marked the article
 * done): when the server says they are hidden, nothing is shown at all. A recommender that
 * failed is named in one quiet line; the page works the same without recommendations.
 */

import { api } from "./api.js";
import { bdi, chip, el } from "./dom.js";
import { markLayer, rangeMarks } from "./marks.js";
import { followingKey, inTextOrder, keyOf, onPickKey, openOnes, stepKey } from "./picking.js";

const percent = (score) => `${Math.round(Number(score) * 100)}%`;

export class Recommendations {
  /**
   * @param {{articleId: number, view: import("./render.js").TextView, doc: HTMLElement,
   *   panelParent: HTMLElement, before: Element|null, labels: Map<string, object>,
   *   hotkeys: Map<string, string>, colourOf: (label: string) => string,
   *   spans: () => Iterable<{start: number, end: number}>,
   *   accept: (recommendation: object, label: string) => void,
   *   notify: (...parts: (string|Node)[]) => void, onPick?: () => void}} options
   *   onPick: called when the annotator picks a recommendation (suggestions let theirs go)
   */
  constructor(options) {
    Object.assign(this, options);
    this.items = [];
    this.status = [];
    this.visible = false;
    this.rejected = new Set(); // keys rejected in this visit (the server forgets them too)
    this.current = null; // key of the picked recommendation
    this.timer = null;
    this.drawn = null; // what the marks and the list show: redrawn only when it changes
    this.forced = false;
    this.layer = markLayer(this.doc, "recommendation-layer");
    this.panel = el("section");
    this.panel.id = "recommendations";
    this.panel.setAttribute("aria-labelledby", "recommendations-title");
    this.panel.hidden = true;
    this.panelParent.insertBefore(this.panel, this.before);
    new ResizeObserver(() => this.drawSoon({ force: true })).observe(this.view.container);
  }

  async load() {
    let data;
    try {
      data = await api(`/articles/${this.articleId}/recommendations/`);
    } catch {
      return; // offline or refused: the page works without recommendations
    }
    this.visible = Boolean(data?.visible);
    this.items = this.visible ? inTextOrder(data.recommendations ?? []) : [];
    this.status = this.visible ? (data.status ?? []) : [];
    this.draw();
  }

  /** Recommendations still open: not rejected, and no span of this layer at their range. */
  open() {
    return openOnes(this.items, this.spans(), this.rejected);
  }

  /**
   * Redraw after the page painted its change, so a label key's key-to-paint time is what it is
   * without recommendations. `force`: the text's layout changed (resize), redraw even if the
   * recommendations shown are the same.
   */
  drawSoon({ force = false } = {}) {
    if (!this.visible) return;
    this.forced ||= force;
    cancelAnimationFrame(this.timer);
    this.timer = requestAnimationFrame(() => setTimeout(() => this.draw(), 0));
  }

  draw() {
    this.panel.hidden = !this.visible;
    if (!this.visible) return;
    const open = this.open();
    if (this.current && !open.some((r) => keyOf(r) === this.current)) this.current = null;
    // A span added elsewhere changes neither the marks nor the list: nothing to rebuild (a
    // change of the text's layout resizes the text, and the ResizeObserver forces a redraw).
    const shown = `${this.current}|${open.map(keyOf).join(",")}`;
    if (shown === this.drawn && !this.forced) return;
    this.drawn = shown;
    this.forced = false;
    this.layer.replaceChildren(
      ...rangeMarks(this.view, this.doc, open, (r) => ({
        className: `recommendation-mark${keyOf(r) === this.current ? " current" : ""}`,
        key: keyOf(r),
        colour: this.colourOf(r.label),
      })),
    );
    this.drawPanel(open);
  }

  labelName(key) {
    return this.labels.get(key)?.name ?? key;
  }

  drawPanel(open) {
    const heading = el("h2", null, `Recommendations (${open.length})`);
    heading.id = "recommendations-title";
    const help = el("p", "hint", "Pick one (. and , move), then y accepts, a label key accepts as that label, x rejects.");
    const problems = this.status.filter((s) => s.state === "error");
    const status = el("p", "hint recommendation-status");
    status.id = "recommendation-status";
    status.setAttribute("role", "status");
    status.textContent = problems
      .map((s) => `${s.name} is unavailable${s.message ? `: ${s.message}` : ""}.`)
      .join(" ");
    if (open.length === 0 && problems.length === 0) status.textContent = "No recommendations for this article.";
    const list = el("ol");
    list.id = "recommendation-list";
    for (const r of open) list.append(this.item(r));
    this.panel.replaceChildren(heading, help, status, list);
  }

  item(r) {
    const li = el("li", "recommendation");
    li.dataset.key = keyOf(r);
    const picked = keyOf(r) === this.current;
    const pick = el("button", "recommendation-pick");
    pick.type = "button";
    pick.setAttribute("aria-pressed", String(picked));
    pick.append(
      chip(this.colourOf(r.label)),
      el("span", "recommendation-label", this.labelName(r.label)),
      " “",
      bdi(r.text),
      "”",
    );
    pick.addEventListener("click", () => this.pick(keyOf(r)));
    const meta = el("span", "recommendation-meta");
    meta.append(el("span", "score", percent(r.score)), " · ", bdi(r.recommender_name));
    const accept = el("button", "recommendation-accept", "Accept");
    accept.type = "button";
    accept.disabled = !this.labels.has(r.label);
    accept.setAttribute("aria-label", `Accept as ${this.labelName(r.label)}`);
    accept.addEventListener("click", () => this.acceptOne(r, r.label));
    const reject = el("button", "recommendation-reject", "Reject");
    reject.type = "button";
    reject.addEventListener("click", () => this.reject(r));
    li.append(pick, meta, accept, reject);
    return li;
  }

  pick(key) {
    this.current = key;
    if (key) this.onPick?.();
    this.draw();
    this.layer.querySelector(`.recommendation-mark[data-key="${key}"]`)?.scrollIntoView({ block: "center" });
  }

  /** Let the picked recommendation go (the annotator picked a suggestion). */
  release() {
    if (this.current === null) return;
    this.current = null;
    this.draw();
  }

  step(direction) {
    const key = stepKey(this.open(), this.current, direction);
    if (key) this.pick(key);
  }

  acceptOne(r, label) {
    const next = followingKey(this.open(), keyOf(r));
    this.accept(r, label);
    this.current = next;
    this.drawSoon();
  }

  async reject(r) {
    const key = keyOf(r);
    const next = followingKey(this.open(), key);
    this.rejected.add(key);
    if (this.current === key) this.current = next;
    this.draw();
    try {
      await api(`/articles/${this.articleId}/recommendations/reject/`, {
        method: "POST",
        body: { start: r.start, end: r.end, label: r.label },
      });
    } catch (exc) {
      // Not stored: show it again rather than let it come back unexplained on the next visit.
      this.rejected.delete(key);
      this.draw();
      this.notify(`Not rejected (${exc.message ?? exc}): “`, bdi(r.text), "” is still recommended.");
    }
  }

  /** Handle a key for the recommendations; true if it was one of ours. */
  onKey(event) {
    return onPickKey(event, {
      next: ".",
      previous: ",",
      canStep: this.visible && this.items.length > 0,
      picked: this.open().find((x) => keyOf(x) === this.current),
      labels: this.labels,
      hotkeys: this.hotkeys,
      step: (direction) => this.step(direction),
      accept: (r, label) => this.acceptOne(r, label),
      drop: (r) => this.reject(r),
      letGo: () => {
        this.current = null;
        this.draw();
      },
    });
  }
}
