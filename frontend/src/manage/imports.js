/**
 * Import from the browser: the chosen files go in one request to POST
 * /api/v1/projects/<slug>/imports/ (with an upload progress bar), which answers the queued
 * import job; a worker imports the files, and the page polls the job (GET .../imports/<id>/)
 * and shows how far it has read them until its report (per file: counts, duplicates, errors
 * with file and line). The project's recent imports, reports included, come from the API when
 * the page loads, so every report stays on the page after a reload.
 */
import { api } from "../api.js";
import { humanSize } from "../bytes.js";
import { element as el } from "../dom.js";
import { jobPoller } from "../jobpoll.js";
import { errorMessages } from "./forms.js";
import { fileReportLines, isPending, jobStateText, layerText } from "./report.js";

const POLL_MS = 1000;
const RECENT = 20; // imports listed when the page loads

const form = document.getElementById("import-form");
const slug = form.dataset.project;
const me = form.dataset.user;
const list = document.getElementById("import-reports");
const limitBytes = Number(form.dataset.maxBytes) * 1024 * 1024;
const shown = new Map(); // job id -> {node, job}

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

function progressBar(job) {
  const bar = el("progress", { attrs: { "aria-label": `Progress of import #${job.id}` } });
  const { done, total } = job.progress;
  if (job.status === "done") {
    bar.max = 1;
    bar.value = 1;
  } else if (job.status === "running" && total > 0) {
    bar.max = total;
    bar.value = done;
  } // else indeterminate: queued, or failed before it started
  return bar;
}

function reportList(report) {
  const files = el("ul", { className: "report" });
  for (const file of report.files ?? []) {
    const [summary, ...details] = fileReportLines(file);
    const item = el("li", {
      className: `import-file ${file.ok ? "ok" : "failed"}`,
      text: summary.text,
      attrs: { "data-file": file.path, "data-ok": String(file.ok) },
    });
    if (details.length) {
      item.append(el("ul", {}, details.map((line) => el("li", { className: "detail", text: line.text }))));
    }
    files.append(item);
  }
  return files;
}

function jobNode(job) {
  const created = job.created_at ? new Date(job.created_at).toLocaleString() : "";
  const meta = [
    job.requester ? `by ${job.requester}` : "",
    created,
    `spans into ${layerText(job.options, me)}`,
    job.options.batch ? `batch “${job.options.batch}”` : "",
  ].filter(Boolean);
  const node = el(
    "li",
    {
      className: "import",
      attrs: { "data-job": job.id, "data-status": job.stalled ? "stalled" : job.status, "data-ok": String(job.report?.ok ?? "") },
    },
    [
      el("div", { className: "import-head" }, [
        el("strong", { text: `Import #${job.id}` }),
        " ",
        el("span", { className: "import-files", text: job.files.map((f) => `${f.name} (${humanSize(f.size)})`).join(", ") }),
      ]),
      el("div", { className: "import-meta", text: meta.join(" · ") }),
      el("div", { className: "import-progress" }, [progressBar(job), " ", el("span", { className: "import-state", text: jobStateText(job) })]),
      reportList(job.report ?? {}),
    ],
  );
  return node;
}

/** Show a job: replace its item, or add it (at the top for a new one: the list is newest first). */
function show(job, { replacing = null } = {}) {
  const old = shown.get(job.id);
  if (old && JSON.stringify(old.job) === JSON.stringify(job)) return;
  const node = jobNode(job);
  if (old) old.node.replaceWith(node);
  else if (replacing) replacing.replaceWith(node);
  else list.append(node);
  shown.set(job.id, { node, job });
  document.getElementById("imports-empty").hidden = true;
  poller.schedule();
}

const poller = jobPoller({
  url: (id) => `/projects/${slug}/imports/${id}/`,
  pendingIds: () => [...shown].filter(([, item]) => isPending(item.job)).map(([id]) => id),
  show,
  gone: (id) => (shown.get(id).job.status = "gone"), // deleted meanwhile: stop asking
  errorBox: document.getElementById("imports-error"),
  name: (id) => `import #${id}`,
  intervalMs: POLL_MS,
});

function refuse(item, state, text) {
  item.dataset.status = "refused";
  state.textContent = "refused";
  item.querySelector("progress")?.remove();
  item.append(el("p", { className: "form-error", text }));
}

async function upload(files, fields) {
  const names = files.map((f) => f.name).join(", ");
  const bar = el("progress", { attrs: { max: "100", value: "0", "aria-label": `Upload of ${names}` } });
  const state = el("span", { className: "import-state", text: "uploading" });
  const item = el("li", { className: "import", attrs: { "data-status": "uploading" } }, [
    el("div", { className: "import-head" }, [el("strong", { text: "Upload" }), " ", el("span", { className: "import-files", text: names })]),
    el("div", { className: "import-progress" }, [bar, " ", state]),
  ]);
  list.prepend(item);
  document.getElementById("imports-empty").hidden = true;
  const size = files.reduce((sum, f) => sum + f.size, 0);
  if (size > limitBytes) {
    refuse(item, state, `${size} bytes: an upload may have ${limitBytes} (${humanSize(limitBytes)}). Send fewer or smaller files at a time.`);
    return;
  }
  const data = new FormData();
  for (const file of files) data.append("file", file);
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  const { status, body } = await send(data, (loaded, total) => {
    bar.value = Math.round((100 * loaded) / total);
    state.textContent = loaded === total ? "uploaded: waiting for the server" : `uploading: ${bar.value}%`;
  });
  if (status === 201) {
    show(body, { replacing: item });
  } else {
    const messages = errorMessages(body).map(([field, message]) => (field ? `${field}: ${message}` : message));
    refuse(item, state, `${status || "offline"}: ${messages.join(" ")}`);
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
  if (form.elements.si_label.value) fields.si_label = form.elements.si_label.value;
  const button = document.getElementById("import-submit");
  button.disabled = true;
  try {
    await upload(files, fields);
  } finally {
    button.disabled = false;
    form.elements.file.value = "";
  }
});

async function load() {
  try {
    const page = await api(`/projects/${slug}/imports/?page_size=${RECENT}`);
    page.results.forEach((job) => show(job));
    document.getElementById("imports-empty").hidden = shown.size > 0;
  } catch (exc) {
    document.getElementById("imports-error").textContent = `Could not load the imports: ${exc.message}`;
  }
  list.dataset.ready = "true";
}

load();
