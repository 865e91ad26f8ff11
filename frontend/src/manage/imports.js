/**
 * Import from the browser: each chosen file is sent to POST /api/v1/projects/<slug>/imports/
 * (multipart, one file a request, in turn) with a progress bar, and the import report the API
 * answers (per file: counts, duplicates, errors with file and line) stays on the page.
 */
import { errorMessages } from "./forms.js";
import { fileReportLines } from "./report.js";

const form = document.getElementById("import-form");
const slug = form.dataset.project;
const reports = document.getElementById("import-reports");
const limitBytes = Number(form.dataset.maxBytes) * 1024 * 1024;

function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** POST the form data with upload progress; resolves {status, body}. */
function send(data, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/projects/${slug}/imports/`);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = request.responseText;
      }
      resolve({ status: request.status, body });
    });
    request.addEventListener("error", () => resolve({ status: 0, body: "The server could not be reached." }));
    request.send(data);
  });
}

function showReport(item, body) {
  const list = el("ul", { className: "report" });
  for (const file of body.files ?? []) {
    for (const line of fileReportLines(file)) {
      list.append(el("li", { className: `${line.ok ? "ok" : "failed"}${line.detail ? " detail" : ""}`, text: line.text }));
    }
  }
  item.append(list);
}

async function importFile(file, fields) {
  const bar = el("progress", { attrs: { max: "100", value: "0", "aria-label": `Upload of ${file.name}` } });
  const state = el("span", { className: "import-state", text: "uploading" });
  const item = el("li", { className: "import", attrs: { "data-file": file.name, "data-state": "running" } }, [
    el("strong", { text: file.name }),
    " ",
    bar,
    " ",
    state,
  ]);
  reports.prepend(item);
  if (file.size > limitBytes) {
    item.dataset.state = "failed";
    state.textContent = `refused: ${file.size} bytes, the limit is ${limitBytes}`;
    bar.remove();
    return;
  }
  const data = new FormData();
  data.append("file", file);
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  const { status, body } = await send(data, (loaded, total) => {
    bar.value = Math.round((100 * loaded) / total);
    if (loaded === total) state.textContent = "importing";
  });
  bar.value = 100;
  if (status === 201 || (status === 400 && body?.files)) {
    item.dataset.state = body.ok ? "done" : "failed";
    state.textContent = body.ok ? "done" : "failed: nothing stored from the file";
    showReport(item, body);
  } else {
    item.dataset.state = "failed";
    state.textContent = `refused (${status || "offline"})`;
    item.append(el("p", { className: "form-error", text: errorMessages(body).map(([f, m]) => (f ? `${f}: ${m}` : m)).join(" ") }));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = Array.from(form.elements.file.files);
  const layer = form.elements.layer.value;
  const fields = { utf16_offsets: form.elements.utf16_offsets.checked ? "true" : "false" };
  if (layer === "gold") fields.gold = "true";
  else if (layer.startsWith("user:")) fields.annotator = layer.slice(5);
  if (form.elements.batch.value.trim()) fields.batch = form.elements.batch.value.trim();
  const button = document.getElementById("import-submit");
  button.disabled = true;
  try {
    for (const file of files) await importFile(file, fields);
  } finally {
    button.disabled = false;
    form.elements.file.value = "";
  }
});
