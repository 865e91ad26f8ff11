/**
 * A trained recommender model's evaluation (the recommenders API's "evaluation" JSON: SemEval
 * span P/R/F1 labelled and unlabelled, per label, and the learning curve) as a table and an
 * inline SVG chart. Used by the console's Recommenders page and the dashboard.
 */

import { el, tableHead } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** "0.734" for a score, "–" when there is none. */
export function score(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(3) : "–";
}

/** The list rows of an API list answer (paginated or not). */
export function rowsOf(data) {
  return Array.isArray(data) ? data : (data?.results ?? []);
}

function cell(tag, text, className) {
  const node = el(tag, className, text);
  if (tag === "th") node.scope = "row";
  return node;
}

/**
 * P/R/F1 table: labelled, unlabelled, then one row per label (with its support).
 * @param {object} evaluation
 * @param {(key: string) => string} labelName
 * @param {string} caption
 */
export function evaluationTable(evaluation, labelName, caption) {
  const table = el("table", "manage-table evaluation-table");
  table.append(el("caption", null, caption));
  const thead = tableHead(["", "Precision", "Recall", "F1", "Support"]);
  const body = el("tbody");
  const row = (name, values, className) => {
    const tr = el("tr", className);
    tr.append(
      cell("th", name),
      cell("td", score(values?.precision), "num"),
      cell("td", score(values?.recall), "num"),
      cell("td", score(values?.f1), "num"),
      cell("td", values?.support === undefined ? "" : String(values.support), "num"),
    );
    body.append(tr);
  };
  row("Labelled (span and technique)", evaluation.labelled, "overall");
  row("Unlabelled (span only)", evaluation.unlabelled, "overall");
  const perLabel = Object.entries(evaluation.per_label ?? {}).sort((a, b) =>
    labelName(a[0]).localeCompare(labelName(b[0])),
  );
  for (const [key, values] of perLabel) row(labelName(key), values, "per-label");
  table.append(thead, body);
  return table;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The learning curve (labelled F1 against the number of training articles) as an inline SVG
 * line chart; every point is labelled with its value, and the chart's accessible name lists them.
 * @param {{articles: number, f1: number}[]} points
 */
export function learningCurve(points) {
  const figure = el("figure", "learning-curve chart");
  const sorted = [...(points ?? [])].sort((a, b) => a.articles - b.articles);
  const summary = sorted.map((p) => `${p.articles} articles: F1 ${score(p.f1)}`).join("; ");
  const caption = el("figcaption", null, "Learning curve: labelled F1 against the number of training articles");
  if (sorted.length === 0) {
    figure.append(caption, el("p", "hint", "No learning curve in this evaluation."));
    return figure;
  }
  const W = 420;
  const H = 220;
  const pad = { left: 44, right: 16, top: 22, bottom: 38 };
  const maxX = Math.max(...sorted.map((p) => p.articles), 1);
  const x = (n) => pad.left + (n / maxX) * (W - pad.left - pad.right);
  const y = (f) => H - pad.bottom - Math.max(0, Math.min(1, f)) * (H - pad.top - pad.bottom);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", width: W, height: H });
  chart.setAttribute("aria-label", `Learning curve: ${summary}`);
  const axes = svg("g", { class: "axes" });
  axes.append(
    svg("line", { x1: pad.left, y1: y(0), x2: W - pad.right, y2: y(0), stroke: "currentColor" }),
    svg("line", { x1: pad.left, y1: y(0), x2: pad.left, y2: y(1), stroke: "currentColor" }),
  );
  for (const tick of [0, 0.5, 1]) {
    axes.append(svg("text", { x: pad.left - 6, y: y(tick) + 4, "text-anchor": "end" }, tick.toFixed(1)));
  }
  axes.append(svg("text", { x: pad.left + (W - pad.left - pad.right) / 2, y: H - 6, "text-anchor": "middle" }, "training articles"));
  axes.append(svg("text", { x: 12, y: y(0.5), "text-anchor": "middle", transform: `rotate(-90 12 ${y(0.5)})` }, "F1"));
  chart.append(axes);
  const line = sorted.map((p) => `${x(p.articles).toFixed(1)},${y(p.f1).toFixed(1)}`).join(" ");
  chart.append(svg("polyline", { points: line, fill: "none", stroke: "#2e5c99", "stroke-width": 2, class: "curve" }));
  for (const p of sorted) {
    const dot = svg("circle", { cx: x(p.articles), cy: y(p.f1), r: 3.5, fill: "#2e5c99", class: "point" });
    dot.append(svg("title", {}, `${p.articles} articles: F1 ${score(p.f1)}`));
    chart.append(
      dot,
      svg("text", { x: x(p.articles), y: y(0) + 14, "text-anchor": "middle" }, String(p.articles)),
      svg("text", { x: x(p.articles), y: y(p.f1) - 7, "text-anchor": "middle", class: "value" }, score(p.f1)),
    );
  }
  figure.append(caption, chart);
  return figure;
}
