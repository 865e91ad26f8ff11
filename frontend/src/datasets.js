/**
 * The Datasets page: request an export, follow every export of the project (a live progress
 * bar polled from the status endpoint while it is queued or running), download finished ones,
 * and copy the curl command that downloads them from a script.
 */

import { api, ApiError } from "./api.js";
import { humanSize } from "./bytes.js";
import { element as el } from "./dom.js";
import { jobPoller } from "./jobpoll.js";

const POLL_MS = 1000;
const PENDING = new Set(["queued", "running"]);
const COLUMNS = 11; // the table's columns: the curl row spans them all

const root = document.getElementById("datasets");
const slug = root.dataset.project;
const tbody = document.querySelector("#exports tbody");
const rows = new Map(); // export id -> {row, curlRow}

/** The options that differ from "everything": what a reader needs to tell exports apart. */
export function optionsSummary(options = {}) {
  const parts = [`layer ${options.layer ?? "all"}`];
  if (options.done_only) parts.push("done only");
  if (options.labels?.length) parts.push(`labels: ${options.labels.join(", ")}`);
  if (options.annotators?.length) parts.push(`annotators: ${options.annotators.join(", ")}`);
  if (options.label_mapping) {
    const mapping = options.label_mapping;
    parts.push(`mapping: ${typeof mapping === "string" ? mapping : JSON.stringify(mapping)}`);
  }
  // Sorted: PostgreSQL's jsonb and SQLite give the stored keys back in different orders.
  const formatOptions = Object.entries(options.format_options ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (formatOptions.length) parts.push(formatOptions.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", "));
  return parts.join("; ");
}

function fileName(exp) {
  return `${exp.project}-${exp.format}-${exp.id}.zip`;
}

export function curlCommand(exp, origin = location.origin) {
  return (
    `curl -H "Authorization: Token <your token>" -o ${fileName(exp)} ` +
    `${origin}/api/v1/projects/${exp.project}/exports/${exp.id}/download/`
  );
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

function copyButton(text, label) {
  const button = el("button", { className: "copy", text: "Copy", attrs: { type: "button", "aria-label": label } });
  button.addEventListener("click", () => copy(text, button));
  return button;
}

function statusCell(exp) {
  const cell = el("td", { className: "export-status" }, [
    el("span", { className: `status status-${exp.status}`, text: exp.stalled ? "stalled" : exp.status }),
  ]);
  if (exp.status === "failed" || exp.stalled) {
    cell.append(el("div", { className: "export-error", text: exp.message }));
  }
  return cell;
}

function progressCell(exp) {
  const { done, total } = exp.progress;
  const bar = el("progress", { attrs: { "aria-label": `Progress of export ${exp.id}` } });
  if (exp.status === "done") {
    bar.max = Math.max(total, 1);
    bar.value = bar.max;
  } else if (total > 0) {
    bar.max = total;
    bar.value = done;
  } // else indeterminate: queued, or running before it has counted the articles
  const text = total > 0 ? `${done} / ${total}` : "";
  return el("td", { className: "export-progress" }, [bar, el("span", { className: "progress-text", text })]);
}

function countsText(counts) {
  if (!counts || counts.articles === undefined) return "";
  return `${counts.articles} articles, ${counts.spans} spans`;
}

function shaCell(exp) {
  if (!exp.sha256) return el("td", { className: "export-sha" });
  return el("td", { className: "export-sha" }, [
    el("code", { text: exp.sha256.slice(0, 12), attrs: { title: exp.sha256 } }),
    " ",
    copyButton(exp.sha256, `Copy the SHA-256 of export ${exp.id}`),
  ]);
}

function downloadCell(exp) {
  if (!exp.download_url) return el("td", { className: "export-download" });
  const link = el("a", {
    className: "download",
    text: "Download",
    attrs: { href: exp.download_url, download: fileName(exp) },
  });
  return el("td", { className: "export-download" }, [link]);
}

function buildRows(exp) {
  const created = exp.created_at ? new Date(exp.created_at) : null;
  const row = el("tr", { className: "export", attrs: { "data-export": exp.id, "data-status": exp.status } }, [
    el("td", { text: String(exp.id) }),
    el("td", { className: "export-format", text: exp.format }),
    el("td", { className: "export-options", text: optionsSummary(exp.options) }),
    el("td", { className: "export-requester", text: exp.requester ?? "" }),
    el("td", {
      className: "export-created",
      text: created ? created.toLocaleString() : "",
      attrs: { title: exp.created_at ?? "" },
    }),
    statusCell(exp),
    progressCell(exp),
    el("td", { className: "export-counts", text: countsText(exp.counts) }),
    el("td", { className: "export-size", text: humanSize(exp.size), attrs: { title: `${exp.size ?? ""} bytes` } }),
    shaCell(exp),
    downloadCell(exp),
  ]);
  const curlRow = el("tr", { className: "curl-row", attrs: { "data-export": exp.id } });
  if (exp.status === "done") {
    const command = curlCommand(exp);
    curlRow.append(
      el("td", { attrs: { colspan: COLUMNS } }, [
        el("code", { className: "curl", text: command }),
        " ",
        copyButton(command, `Copy the curl command of export ${exp.id}`),
      ]),
    );
  } else {
    curlRow.hidden = true;
  }
  return { row, curlRow };
}

/** Show an export: replace its rows, or add them at the top (the list is newest first). */
function show(exp, { atTop = false } = {}) {
  const fresh = buildRows(exp);
  const old = rows.get(exp.id);
  if (old) {
    old.row.replaceWith(fresh.row);
    old.curlRow.replaceWith(fresh.curlRow);
  } else if (atTop) {
    tbody.prepend(fresh.row, fresh.curlRow);
  } else {
    tbody.append(fresh.row, fresh.curlRow);
  }
  rows.set(exp.id, { ...fresh, status: exp.status });
  document.getElementById("exports-empty").hidden = rows.size > 0;
  poller.schedule();
}

const poller = jobPoller({
  url: (id) => `/projects/${slug}/exports/${id}/`,
  pendingIds: () => [...rows].filter(([, r]) => PENDING.has(r.status)).map(([id]) => id),
  show,
  gone: (id) => (rows.get(id).status = "gone"), // deleted meanwhile: stop asking
  errorBox: document.getElementById("exports-error"),
  name: (id) => `export ${id}`,
  intervalMs: POLL_MS,
});

/** "all" mixes annotators: offered only for a format that names each span's annotator. */
export function allowsAll(formatOption) {
  return formatOption?.dataset.carriesAnnotator === "true";
}

function updateLayers() {
  const format = document.getElementById("export-format");
  const layer = document.getElementById("export-layer");
  const chosen = format.selectedOptions[0];
  const all = layer.querySelector("option[value='all']");
  const allowed = allowsAll(chosen);
  all.disabled = !allowed;
  if (!allowed && layer.value === "all") layer.value = "";
  document.getElementById("export-bom-option").hidden = chosen.value !== "csv";
  document.getElementById("layer-hint").textContent = allowed
    ? ""
    : `Layer "all" is not offered for ${chosen.value}: its files do not name the annotator.`;
}

function formOptions(form) {
  const data = new FormData(form);
  return {
    format: data.get("format"),
    options: {
      layer: data.get("layer"),
      done_only: data.get("done_only") === "on",
      labels: data.getAll("labels"),
      // spreadsheet users: Excel reads UTF-8 only after a byte order mark
      ...(data.get("format") === "csv" && data.get("bom") === "on" ? { format_options: { bom: true } } : {}),
    },
  };
}

function errorText(exc) {
  if (!(exc instanceof ApiError) || typeof exc.body !== "object" || exc.body === null) return exc.message;
  return Object.entries(exc.body)
    .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(" ") : value}`)
    .join("; ");
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = document.getElementById("export-submit");
  const error = document.getElementById("export-form-error");
  error.textContent = "";
  button.disabled = true;
  try {
    show(await api(`/projects/${slug}/exports/`, { method: "POST", body: formOptions(form) }), { atTop: true });
  } catch (exc) {
    error.textContent = errorText(exc);
  } finally {
    button.disabled = false;
  }
}

async function load() {
  try {
    const page = await api(`/projects/${slug}/exports/?page_size=100`);
    page.results.forEach((exp) => show(exp));
    document.getElementById("exports-empty").hidden = rows.size > 0;
  } catch (exc) {
    document.getElementById("exports-error").textContent = `Could not load the exports: ${exc.message}`;
  }
  root.dataset.ready = "true";
}

document.getElementById("export-form").addEventListener("submit", submit);
document.getElementById("export-format").addEventListener("change", updateLayers);
updateLayers();
load();
