/**
 * The dashboard: SVG charts drawn from GET /projects/<slug>/stats/ and the latest finished
 * agreement report (GET /projects/<slug>/agreement/ and .../<id>/). Every bar and cell carries its
 * number as SVG text, so colour is never the only cue; a button starts a new report (POST) and
 * follows its progress by polling. No article text is read: articles are ids and titles.
 *
 * Agreement and the disagreement queue compare finished work unless "Include work in progress"
 * is ticked (articles nobody opened never count); a heat map cell drills down to that pair's
 * articles (stats ?pair=a,b).
 */

import { api } from "./api.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const POLL_MS = 1000;
const ROW = 24; // px per bar
const LABEL_W = 240; // px of the row labels (longer names are cut, in full in a tooltip)
const BAR_W = 320; // px of a full bar
const CELL = 84; // px of a heat map cell
const MAX_NAME = 36; // characters of a row label
const STATUSES = [
  ["done", "done"],
  ["in_progress", "in progress"],
  ["todo", "to do"],
  ["skipped", "skipped"],
];

const root = document.getElementById("dashboard");
const slug = root.dataset.project;
const canReview = root.dataset.canReview === "true";
const $ = (id) => document.getElementById(id);

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A row label, cut to MAX_NAME characters, with the full name as its tooltip. */
function rowLabel(name, attrs) {
  const shown = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name;
  const node = svg("text", { ...attrs, "text-anchor": "end", class: "row-label" }, shown);
  node.append(svg("title", {}, name));
  return node;
}

function chart(width, height, title, role = "img") {
  const node = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role });
  node.append(svg("title", {}, title));
  if (role !== "img") node.setAttribute("aria-label", title);
  return node;
}

export const fmt = (x) => (x === null || x === undefined ? "—" : x.toFixed(2));

/** Horizontal bars: rows of {name, value, text}; the text is written after the bar. */
function barChart(container, rows, { title, max, className = "bar" }) {
  if (rows.length === 0) {
    container.textContent = "Nothing yet.";
    return;
  }
  const top = Math.max(max ?? Math.max(...rows.map((r) => r.value ?? 0)), 1e-9);
  const node = chart(LABEL_W + BAR_W + 120, rows.length * ROW + 4, title);
  rows.forEach((row, i) => {
    const y = i * ROW + 2;
    const g = svg("g", { class: "bar-row", "data-name": row.key ?? row.name });
    g.append(rowLabel(row.name, { x: LABEL_W - 6, y: y + 15 }));
    const width = row.value === null ? 0 : Math.round((BAR_W * row.value) / top);
    g.append(svg("rect", { x: LABEL_W, y: y + 3, width, height: ROW - 8, class: className }));
    g.append(svg("text", { x: LABEL_W + width + 6, y: y + 15, class: "value" }, row.text));
    node.append(g);
  });
  container.replaceChildren(node);
}

/** Stacked bars per annotator: one segment per status, each with a pattern class and a number. */
function progressChart(container, byAnnotator) {
  if (byAnnotator.length === 0) {
    container.textContent = "No assignments yet.";
    return;
  }
  const top = Math.max(...byAnnotator.map((r) => r.total), 1);
  const node = chart(LABEL_W + BAR_W + 160, byAnnotator.length * ROW + 30, "Progress per annotator");
  byAnnotator.forEach((row, i) => {
    const y = i * ROW + 2;
    const g = svg("g", { class: "bar-row", "data-name": row.username });
    g.append(rowLabel(row.username, { x: LABEL_W - 6, y: y + 15 }));
    let x = LABEL_W;
    for (const [status, name] of STATUSES) {
      const width = (BAR_W * row[status]) / top;
      if (width <= 0) continue;
      const seg = svg("rect", { x, y: y + 3, width, height: ROW - 8, class: `seg-${status}` });
      seg.append(svg("title", {}, `${row[status]} ${name}`));
      g.append(seg);
      if (width >= 14) {
        g.append(svg("text", { x: x + width / 2, y: y + 15, "text-anchor": "middle", class: `in-bar seg-text-${status}` }, row[status]));
      }
      x += width;
    }
    g.append(svg("text", { x: x + 6, y: y + 15, class: "value" }, `${row.done} of ${row.total} done`));
    node.append(g);
  });
  // Legend: the patterns and their names (not colour alone).
  const legendY = byAnnotator.length * ROW + 12;
  STATUSES.forEach(([status, name], k) => {
    const x = LABEL_W + k * 100;
    node.append(svg("rect", { x, y: legendY, width: 12, height: 12, class: `seg-${status}` }));
    node.append(svg("text", { x: x + 16, y: legendY + 10, class: "legend" }, name));
  });
  container.replaceChildren(node);
}

/** Annotator x annotator matrix of F1; every cell shows its value as text. */
function heatMap(container, results) {
  const names = Object.entries(results.annotators).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (names.length < 2) {
    container.textContent = "Fewer than two annotators compared.";
    return;
  }
  const value = new Map();
  for (const pair of results.pairs) {
    const f1 = pair.semeval_labelled.f1;
    value.set(`${pair.a_id}:${pair.b_id}`, f1);
    value.set(`${pair.b_id}:${pair.a_id}`, f1);
  }
  const n = names.length;
  const top = 24; // px for the column labels
  // A group, not an image: the cells are links to the pair's articles (drill-down).
  const node = chart(LABEL_W + n * CELL + 4, top + n * CELL + 4, "Agreement heat map", "group");
  names.forEach(([, name], j) => {
    const shown = name.length > 12 ? `${name.slice(0, 11)}…` : name;
    const label = svg("text", { x: LABEL_W + j * CELL + CELL / 2, y: top - 8, "text-anchor": "middle", class: "col-label" }, shown);
    label.append(svg("title", {}, name));
    node.append(label);
  });
  names.forEach(([idA, nameA], i) => {
    node.append(rowLabel(nameA, { x: LABEL_W - 6, y: top + i * CELL + CELL / 2 + 5 }));
    names.forEach(([idB, nameB], j) => {
      const f1 = i === j ? null : (value.get(`${idA}:${idB}`) ?? null);
      const g = svg("g", { class: "cell", "data-a": nameA, "data-b": nameB });
      if (f1 !== null) {
        // A link: click or Enter shows the articles of this pair, most disagreement first.
        const link = svg("a", { href: "#pair", role: "button", "aria-label": `${nameA} and ${nameB}: F1 ${fmt(f1)}; show their articles` });
        link.addEventListener("click", (event) => {
          event.preventDefault();
          drillDown([Number(idA), nameA], [Number(idB), nameB]);
        });
        link.append(g);
        node.append(link);
      }
      const level = f1 === null ? "none" : Math.min(4, Math.floor(f1 * 5));
      g.append(svg("rect", { x: LABEL_W + j * CELL, y: top + i * CELL, width: CELL - 2, height: CELL - 2, class: `heat-${level}` }));
      g.append(svg("text", { x: LABEL_W + j * CELL + CELL / 2 - 1, y: top + i * CELL + CELL / 2 + 4, "text-anchor": "middle", class: `cell-text heat-text-${level}` }, i === j ? "—" : fmt(f1)));
      if (f1 === null) node.append(g);
    });
  });
  container.replaceChildren(node);
}

function labelAgreement(container, results) {
  const rows = Object.entries(results.pairs_overall.per_label ?? {}).map(([key, score]) => ({
    key,
    name: results.labels[key] ?? key,
    value: score.semeval.spans_a + score.semeval.spans_b > 0 ? score.semeval.f1 : null,
    text: score.semeval.spans_a + score.semeval.spans_b > 0 ? fmt(score.semeval.f1) : "— (no spans)",
  }));
  rows.sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || a.name.localeCompare(b.name));
  barChart(container, rows, { title: "Agreement per label", max: 1, className: "bar agreement" });
}

function queueTable(disagreement, table = $("queue")) {
  const tbody = table.querySelector("tbody");
  const rows = disagreement.articles.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.article = a.article;
    const name = document.createElement("td");
    const title = a.title || a.external_id;
    if (canReview) {
      const link = document.createElement("a");
      link.href = `/review/${a.article}/`;
      link.textContent = title;
      name.append(link);
    } else name.textContent = title;
    const cells = [fmt(a.disagreement), a.layers, a.spans, a.has_gold ? "yes" : "no"].map((v) => {
      const td = document.createElement("td");
      td.textContent = String(v);
      return td;
    });
    tr.append(name, ...cells);
    return tr;
  });
  tbody.replaceChildren(...rows);
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 5;
    td.textContent = includeWip()
      ? "No article has two annotators who opened it yet."
      : "No article has two annotators who finished it yet.";
    tr.append(td);
    tbody.append(tr);
  }
}

/** The dashboard compares finished work unless "Include work in progress" is ticked (#14). */
function includeWip() {
  return $("include-wip").checked;
}

async function loadStats() {
  const stats = await api(`/projects/${slug}/stats/?done_only=${!includeWip()}`);
  progressChart($("chart-progress"), stats.progress.by_annotator);
  barChart(
    $("chart-labels"),
    stats.spans_per_label
      .filter((l) => !l.retired || l.annotators + l.gold > 0)
      .map((l) => ({ key: l.key, name: l.name, value: l.annotators, text: `${l.annotators} (${l.gold})` })),
    { title: "Spans per label" },
  );
  queueTable(stats.disagreement);
}

async function loadReport() {
  const list = await api(`/projects/${slug}/agreement/`);
  const doneOnly = !includeWip();
  const latest = (list.results ?? list).find(
    (r) => r.status === "done" && Boolean(r.options?.done_only) === doneOnly,
  );
  if (!latest) {
    $("report-info").textContent = doneOnly
      ? "No agreement report over finished work yet: compute one."
      : "No agreement report including work in progress yet: compute one.";
    $("chart-heatmap").replaceChildren();
    $("chart-label-agreement").replaceChildren();
    return;
  }
  const report = await api(`/projects/${slug}/agreement/${latest.id}/`);
  const c = report.results.counts;
  $("report-info").textContent =
    `Report #${report.id} of ${new Date(report.finished_at).toLocaleString()} ` +
    `(${doneOnly ? "finished work only" : "work in progress included"}): ` +
    `${c.articles} articles, ${c.compared} with two or more annotators.`;
  heatMap($("chart-heatmap"), report.results);
  labelAgreement($("chart-label-agreement"), report.results);
}

async function compute() {
  const button = $("compute");
  const bar = $("compute-progress");
  button.disabled = true;
  try {
    let report = await api(`/projects/${slug}/agreement/`, { method: "POST", body: { done_only: !includeWip() } });
    bar.hidden = false;
    while (report.status === "queued" || report.status === "running") {
      const { done, total } = report.progress ?? { done: 0, total: 0 };
      bar.max = Math.max(total, 1);
      bar.value = done;
      $("compute-status").textContent = `Report #${report.id}: ${report.status}${report.stalled ? " (stalled)" : ""}, ${done} of ${total} articles`;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      report = await api(`/projects/${slug}/agreement/${report.id}/`);
    }
    $("compute-status").textContent =
      report.status === "done" ? `Report #${report.id} done.` : `Report #${report.id} failed: ${report.error}`;
    await Promise.all([loadReport(), loadStats()]);
  } catch (exc) {
    $("compute-status").textContent = `Could not compute: ${exc.body?.detail ?? exc.message}`; // 503: no broker
  } finally {
    bar.hidden = true;
    button.disabled = false;
  }
}

/** A heat map cell's pair: their articles, most disagreement first. */
async function drillDown([idA, nameA], [idB, nameB]) {
  const section = $("pair");
  section.hidden = false;
  $("pair-title").textContent = `Articles of ${nameA} and ${nameB}, by disagreement`;
  try {
    const stats = await api(`/projects/${slug}/stats/?done_only=${!includeWip()}&pair=${idA},${idB}`);
    queueTable(stats.disagreement, $("pair-queue"));
  } catch (exc) {
    $("pair-title").textContent = `Could not load the articles of ${nameA} and ${nameB}: ${exc.message}`;
  }
  $("pair-title").focus();
}

async function reloadAll() {
  $("pair").hidden = true;
  try {
    await Promise.all([loadStats(), loadReport()]);
    $("dashboard-error").textContent = "";
  } catch (exc) {
    $("dashboard-error").textContent = `Could not load the dashboard: ${exc.message}`;
  }
}

async function main() {
  $("compute").addEventListener("click", compute);
  $("include-wip").addEventListener("change", reloadAll);
  await reloadAll();
  root.dataset.ready = "true";
}

main();
