/**
 * The console's Recommenders page: every recommender of the project from the recommenders API,
 * with its state, an edit form, Delete, "Train now" (a background job polled until it ends),
 * its current model's evaluation (table and learning curve) and the history of its models,
 * each with its evaluation to show or download as JSON. The forms are api-forms (forms.js).
 */

import { api, ApiError } from "../api.js";
import { el, tableHead } from "../dom.js";
import { evaluationTable, learningCurve, rowsOf, score } from "../evaluation.js";
import { bindForms, errorMessages } from "./forms.js";

const root = document.getElementById("recommenders-page");
const slug = root.dataset.project;
const base = `/projects/${slug}/recommenders/`;
const list = document.getElementById("recommenders");
const pageStatus = document.getElementById("recommenders-status");
const KINDS = { phrase: "Phrase memory", sequence: "Sequence model", external: "External model" };
const STATES = { ready: "Ready", training: "Training", untrained: "Not trained yet", error: "Error" };
const POLL_MS = 1000;
const labels = new Map();

const labelName = (key) => labels.get(key) ?? key;

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function describeModel(model) {
  const c = model.counts ?? {};
  const parts = [`Version ${model.version}`];
  const source = { gold: "gold ", agreed: "agreed " }[model.source] ?? "";
  if (c.articles !== undefined) parts.push(`trained on ${c.articles} articles, ${c.spans} ${source}spans, ${c.labels} labels`);
  if (typeof model.duration_seconds === "number") parts.push(`in ${model.duration_seconds.toFixed(1)} s`);
  if (model.finished_at) parts.push(`finished ${when(model.finished_at)}`);
  return `${parts.join(", ")}.`;
}

function evaluationUrl(recommender, model) {
  return `/api/v1${base}${recommender.id}/models/${model.id}/evaluation/`;
}

/** A model's evaluation: summary, table, learning curve and the JSON download. */
function evaluationBlock(recommender, model) {
  const box = el("div", "evaluation");
  box.dataset.model = model.id;
  box.append(el("p", "model-summary", describeModel(model)));
  const evaluation = model.evaluation;
  if (!evaluation?.labelled || !evaluation.folds) {
    const why = evaluation?.note ?? "too few articles to hold some out";
    box.append(el("p", "hint", `This model has no evaluation: ${why}.`));
    return box;
  }
  const folds = evaluation.folds ? ` (${evaluation.folds}-fold by article, seed ${evaluation.seed})` : "";
  box.append(
    evaluationTable(evaluation, labelName, `Evaluation of ${recommender.name} version ${model.version}${folds}`),
    learningCurve(evaluation.learning_curve),
  );
  const download = el("a", "download-evaluation", "Download the evaluation (JSON)");
  download.href = evaluationUrl(recommender, model);
  download.setAttribute("download", `${slug}-recommender-${recommender.id}-v${model.version}-evaluation.json`);
  box.append(el("p", null), download);
  return box;
}

function field(form, labelText, input, name) {
  const id = `${form.id}-${name.replace(".", "-")}`;
  input.id = id;
  input.name = name;
  const p = el("p");
  const label = el("label", null, labelText);
  label.htmlFor = id;
  const error = el("span", "field-error");
  error.dataset.errorFor = name;
  p.append(label, input, error);
  form.append(p);
}

function numberInput(value, min) {
  const input = el("input");
  input.type = "number";
  input.min = String(min);
  input.dataset.type = "int";
  input.value = value ?? "";
  return input;
}

function formTail(form, buttonText, primary = false) {
  const p = el("p");
  const button = el("button", primary ? "primary" : null, buttonText);
  button.type = "submit";
  p.append(button, " ", el("span", "form-status"));
  p.lastChild.setAttribute("role", "status");
  const error = el("p", "form-error");
  error.setAttribute("role", "alert");
  form.append(p, error);
}

function editForm(r) {
  const form = el("form", "api-form manage-form");
  form.id = `edit-recommender-${r.id}`;
  form.dataset.endpoint = `${base}${r.id}/`;
  form.dataset.method = "PATCH";
  const name = el("input");
  name.required = true;
  name.maxLength = 200;
  name.value = r.name;
  field(form, "Name", name, "name");
  const enabled = el("input");
  enabled.type = "checkbox";
  enabled.name = "enabled";
  enabled.checked = Boolean(r.enabled);
  const check = el("label", "check");
  check.append(enabled, " Enabled (proposes spans and retrains by itself)");
  form.append(check);
  if (r.kind === "external") {
    const url = el("input");
    url.type = "url";
    url.value = r.url ?? "";
    field(form, "URL", url, "url");
  }
  const s = r.settings ?? {};
  field(form, "Spans agreed by at least this many annotators count (before there is gold)", numberInput(s.min_agreement, 1), "settings.min_agreement");
  field(form, "Retrain after this many new gold or agreed spans", numberInput(s.retrain_after, 1), "settings.retrain_after");
  if (r.kind === "external") {
    const timeout = numberInput(s.timeout, 0.1);
    timeout.max = "30";
    timeout.step = "0.1";
    field(form, "Timeout, seconds", timeout, "settings.timeout");
  } else {
    const folds = numberInput(s.folds, 2);
    folds.max = "10";
    field(form, "Folds of the evaluation", folds, "settings.folds");
  }
  formTail(form, "Save changes", true);
  const details = el("details", "edit-recommender");
  details.append(el("summary", null, "Edit"), form);
  return details;
}

function deleteForm(r) {
  const form = el("form", "api-form inline delete-recommender");
  form.dataset.endpoint = `${base}${r.id}/`;
  form.dataset.method = "DELETE";
  form.dataset.confirm = `Delete the recommender ${r.name} and its models? Spans already accepted stay.`;
  const button = el("button", null, "Delete");
  button.type = "submit";
  button.setAttribute("aria-label", `Delete ${r.name}`);
  const error = el("span", "form-error");
  error.setAttribute("role", "alert");
  form.append(button, " ", el("span", "form-status"), error);
  return form;
}

/** "Train now": POST .../train/, then poll the job until it is done or failed. */
function trainControls(r, section) {
  const box = el("p", "train");
  const button = el("button", "primary train-now", "Train now");
  button.type = "button";
  button.setAttribute("aria-label", `Train ${r.name} now`);
  const progress = el("progress");
  progress.max = 1;
  progress.value = 0;
  progress.hidden = true;
  progress.setAttribute("aria-label", `Training of ${r.name}`);
  const status = el("span", "train-status");
  status.setAttribute("role", "status");
  box.append(button, " ", progress, " ", status);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Queued…";
    try {
      let job = await api(`${base}${r.id}/train/`, { method: "POST", body: {} });
      progress.hidden = false;
      while (job.status === "queued" || job.status === "running") {
        const { done = 0, total = 0 } = job.progress ?? {};
        progress.value = total > 0 ? done / total : 0;
        status.textContent = job.status === "queued" ? "Queued…" : "Training…";
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        job = await api(`${base}${r.id}/models/${job.id}/`);
      }
      progress.hidden = true;
      status.textContent =
        job.status === "done" ? `Version ${job.version} trained.` : `Training failed: ${job.error || job.message || "no reason given"}`;
      await refreshOne(r.id, section, status.textContent);
    } catch (exc) {
      progress.hidden = true;
      status.textContent =
        exc instanceof ApiError
          ? errorMessages(exc.body).map(([, message]) => message).join(" ")
          : "The server could not be reached; try again.";
      button.disabled = false;
    }
  });
  return box;
}

function historyTable(r, models, section) {
  const table = el("table", "manage-table model-history");
  table.append(el("caption", null, `Models of ${r.name}`));
  const thead = tableHead(["Version", "Status", "Finished", "Articles", "Spans", "Duration", "Labelled F1", "Unlabelled F1", "Evaluation"]);
  const body = el("tbody");
  for (const m of models) {
    const tr = el("tr");
    tr.dataset.version = m.version;
    const num = (text) => el("td", "num", text);
    const actions = el("td", "links");
    if (m.evaluation?.labelled) {
      const show = el("button", "show-evaluation", "Show");
      show.type = "button";
      show.setAttribute("aria-label", `Show the evaluation of version ${m.version}`);
      show.addEventListener("click", () => {
        section.querySelector(".evaluation")?.replaceWith(evaluationBlock(r, m));
      });
      const download = el("a", null, "JSON");
      download.href = evaluationUrl(r, m);
      download.setAttribute("download", `${slug}-recommender-${r.id}-v${m.version}-evaluation.json`);
      download.setAttribute("aria-label", `Download the evaluation of version ${m.version} (JSON)`);
      actions.append(show, " ", download);
    }
    tr.append(
      num(String(m.version ?? "")),
      el("td", null, m.status === "failed" ? `failed: ${m.error || ""}` : m.status),
      el("td", null, when(m.finished_at)),
      num(String(m.counts?.articles ?? "")),
      num(String(m.counts?.spans ?? "")),
      num(typeof m.duration_seconds === "number" ? `${m.duration_seconds.toFixed(1)} s` : ""),
      num(score(m.evaluation?.labelled?.f1)),
      num(score(m.evaluation?.unlabelled?.f1)),
      actions,
    );
    body.append(tr);
  }
  table.append(thead, body);
  return table;
}

async function renderRecommender(r, section, trainMessage = "") {
  let models = [];
  try {
    models = rowsOf(await api(`${base}${r.id}/models/`));
  } catch {
    // The list stays empty; the recommender itself still shows.
  }
  models.sort((a, b) => b.version - a.version);
  const heading = el("h3", null, r.name);
  heading.id = `recommender-${r.id}-title`;
  section.setAttribute("aria-labelledby", heading.id);
  const facts = el("p", "recommender-facts");
  const state = el("span", `badge state-${r.state}`, STATES[r.state] ?? r.state);
  facts.append(`${KINDS[r.kind] ?? r.kind} · ${r.enabled ? "enabled" : "disabled"} · `, state);
  if (r.kind === "external" && r.url) facts.append(` · ${r.url}`);
  const parts = [heading, facts];
  if (r.message) parts.push(el("p", r.state === "error" ? "warning recommender-message" : "hint recommender-message", r.message));
  const actions = el("div", "recommender-actions");
  if (r.kind === "external") {
    actions.append(el("p", "hint", "An external model is trained by its own backend."));
  } else {
    const train = trainControls(r, section);
    if (trainMessage) train.querySelector(".train-status").textContent = trainMessage;
    actions.append(train);
  }
  actions.append(deleteForm(r), editForm(r));
  parts.push(actions);
  if (r.current_model) parts.push(el("h4", null, "Current model"), evaluationBlock(r, r.current_model));
  else if (r.kind !== "external") {
    parts.push(
      el("h4", null, "Current model"),
      el("p", "hint evaluation", "No trained model yet: train it once the project has gold spans (or spans annotators agree on)."),
    );
  }
  if (models.length) {
    parts.push(el("h4", null, "History"), historyTable(r, models, section));
  }
  section.replaceChildren(...parts);
  bindForms(section);
}

async function refreshOne(id, section, trainMessage) {
  const r = await api(`${base}${id}/`);
  await renderRecommender(r, section, trainMessage);
}

async function main() {
  bindForms(); // the switches and "Add a recommender" (the recommenders' own forms come later)
  try {
    const [project, recommenders] = await Promise.all([api(`/projects/${slug}/`), api(base)]);
    for (const label of project.labels ?? []) labels.set(label.key, label.name);
    const rows = rowsOf(recommenders);
    pageStatus.textContent = rows.length ? "" : "No recommenders yet: add one above.";
    const sections = rows.map((r) => {
      const section = el("section", "recommender");
      section.dataset.recommender = r.id;
      return [r, section];
    });
    list.replaceChildren(...sections.map(([, section]) => section));
    await Promise.all(sections.map(([r, section]) => renderRecommender(r, section)));
  } catch (exc) {
    pageStatus.textContent = `The recommenders could not be loaded: ${exc.message}`;
  }
  root.dataset.ready = "true";
}

main();
