/**
 * The annotation page: loads the article, its project (labels, guidelines, progress), the
 * annotator's spans and the discussions through the REST API, shows them (render.js), and
 * turns selections and keys into span operations that update the page at once and go through
 * the save queue (queue.js).
 *
 * The page shows what the server has: a change the page knows the server would refuse
 * (rules.js) is refused at once, and one the server refuses is rolled back to the server's copy
 * of the span (state.server) with a banner naming the label (conflicts.js).
 */

import { api, sendBatch } from "./api.js";
import { TextSelection } from "./caret.js";
import { showConflict, showError, showRefusal } from "./conflicts.js";
import { Discussion } from "./discussion.js";
import { bdi } from "./dom.js";
import { PendingFinish } from "./finish.js";
import { labelsInUse } from "./legend.js";
import { makeOffsetIndex } from "./offsets.js";
import { setUpGuidelines, setUpKeysDialog } from "./overlay.js";
import { renderLegend, renderPalette, safeColour } from "./palette.js";
import { fieldsOf, newClientId, SaveQueue, STORAGE_KEY } from "./queue.js";
import { Recommendations } from "./recommendations.js";
import { TextView } from "./render.js";
import { refusal } from "./rules.js";
import { createSelectionTools } from "./selection.js";
import { ANNOTATE_SHORTCUTS, labelSection, onPanelKey } from "./shortcuts.js";
import { SpanCard } from "./spancard.js";
import { byPosition, SpanList } from "./spanlist.js";
import { Suggestions } from "./suggestions.js";
import { adoptOrphanQueues, claimQueueKey } from "./tabqueue.js";
import { offsetsText, plural, progressText } from "./text.js";
import { Threads } from "./threads.js";
import { UndoStack } from "./undo.js";

const app = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const articleId = Number(app.dataset.article);
const slug = app.dataset.project;
const userId = app.dataset.user;
const username = app.dataset.username;
const CACHE_KEY = `annotator.lastArticle.${userId}`;
const PREFS_KEY = `annotator.prefs.${userId}`;
const SPAN_FIELDS = ["label", "start", "end", "text", "note"];

const state = {
  spans: new Map(), // client_id -> {client_id, id, version, label, start, end, text, note}
  server: new Map(), // client_id -> the span as the server last said it is (for roll-backs)
  waiting: 0, // conflicts and refusals shown and not yet settled
  selected: null,
  filter: "",
  labels: new Map(),
  hotkeys: new Map(),
  allowOverlap: true,
  view: null,
  tools: null,
  selection: null, // caret.js: the mouse's and the keyboard's selection
  lastSelection: null, // the last non-empty text selection (touch users then tap a label)
  threads: new Threads(),
};

const undo = new UndoStack({ versionOf: (cid) => state.spans.get(cid)?.version });
const prefs = { snapWords: false, names: false, ...readJson(PREFS_KEY) };

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch {
    return null;
  }
}

function writeJson(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, only the offline copy is missing.
  }
}

/** Spans from the server without a client id (imports, scripts) get a stable stand-in. */
function localSpan(server) {
  const cid =
    server.client_id ?? `00000000-0000-4000-8000-${server.id.toString(16).padStart(12, "0")}`;
  return {
    client_id: cid,
    id: server.id,
    version: server.version,
    ...Object.fromEntries(SPAN_FIELDS.map((k) => [k, server[k]])),
  };
}

const labelName = (key) => state.labels.get(key)?.name ?? key;

/** A short message under the title (role=status): what a key did, or why it did nothing. */
function notify(...parts) {
  $("notice").replaceChildren(...parts);
}

// --- the save queue -------------------------------------------------------------------------

// One stored queue per tab; those of tabs closed before sending everything are taken over.
const queueBase = `${STORAGE_KEY}.${userId}`;
const locks = globalThis.navigator?.locks ?? null;
const queueKey = await claimQueueKey({
  base: queueBase,
  locks,
  session: sessionStorage,
  newId: newClientId,
});
const queue = new SaveQueue({
  storage: localStorage,
  key: queueKey,
  sendBatch,
  backoff: { initialMs: 1000, maxMs: 30_000 },
  onAck(op, result) {
    const span = state.spans.get(op.client_id);
    if (span && result.span) {
      span.id = result.span.id;
      span.version = result.span.version;
    }
    if (op.op === "delete") state.server.delete(op.client_id);
    else if (result.span) state.server.set(op.client_id, { ...localSpan(result.span), client_id: op.client_id });
    if (span && op.op === "create") renderEditor(); // the discussion opens once the span is saved
  },
  onConflict: (conflict) => showConflict(conflict, conflictHooks),
  onError: (error) => showRefusal(error, conflictHooks),
});
queue.adopt(
  await adoptOrphanQueues({ base: queueBase, ownKey: queueKey, locks, storage: localStorage }),
);

let lastStatus = queue.status();

function showStatus(status = lastStatus) {
  lastStatus = status;
  const el = $("save-status");
  if (state.waiting > 0 && status.state === "saved") {
    el.dataset.state = "refused";
    el.textContent = `${plural(state.waiting, "change")} not saved: see the message`;
  } else {
    el.dataset.state = status.state;
    if (status.state === "saved") el.textContent = "Saved";
    else if (status.state === "saving") el.textContent = "Saving...";
    else el.textContent = `Offline: ${plural(status.pending, "change")} waiting`;
  }
  if (!status.durable) el.textContent += " (not stored in this browser!)";
  $("retry-now").hidden = status.state !== "offline";
}

/** Apply an operation to the page's spans (no network). */
function applyLocal(op) {
  if (op.op === "delete") {
    state.spans.delete(op.client_id);
    if (state.selected === op.client_id) state.selected = null;
    return;
  }
  const fields = fieldsOf(op);
  delete fields.article;
  delete fields.origin;
  delete fields.origin_model;
  const current = state.spans.get(op.client_id);
  // A replayed change to a span this page does not have: the server will answer for it.
  if (op.op === "update" && !current) return;
  if (op.op === "create" || !current) {
    state.spans.set(op.client_id, { note: "", ...current, ...fields, client_id: op.client_id });
  } else {
    Object.assign(current, fields);
  }
}

/** Apply operations at once, queue them for the server, and redraw. */
function commit(ops) {
  for (const op of ops) {
    const span = state.spans.get(op.client_id);
    if (op.op !== "create" && span?.id !== undefined) op.id = span.id;
    try {
      queue.enqueue({ ...op, article: articleId });
    } catch (exc) {
      // An impossible sequence (a change to a span being deleted): refuse it, say so.
      showError({ detail: String(exc.message ?? exc) }, conflictHooks);
      continue;
    }
    applyLocal(op);
  }
  refresh();
  saveCacheSoon();
}

const conflictHooks = {
  articleId,
  spans: state.spans,
  labels: state.labels,
  localSpan,
  commit,
  forget(cid) {
    undo.forget(cid);
  },
  setServerCopy(cid, server) {
    if (server) {
      const copy = { ...localSpan(server), client_id: cid };
      state.spans.set(cid, copy);
      state.server.set(cid, { ...copy });
    } else {
      state.spans.delete(cid);
      state.server.delete(cid);
    }
    refresh();
  },
  /** Back to the server's copy of the span: a refused change leaves no trace on the page. */
  rollback(cid) {
    const server = state.server.get(cid);
    if (server) state.spans.set(cid, { ...server });
    else {
      state.spans.delete(cid);
      if (state.selected === cid) state.selected = null;
    }
    refresh();
    saveCacheSoon();
  },
  waiting(delta) {
    state.waiting = Math.max(0, state.waiting + delta);
    showStatus();
  },
  enqueue(op) {
    queue.enqueue({ ...op, article: articleId });
  },
};

// --- drawing --------------------------------------------------------------------------------

let listTimer = null;

function refresh() {
  state.view.update(state.spans, state.selected);
  renderEditor();
  // The list and the legend follow the frame that paints the text.
  cancelAnimationFrame(listTimer);
  listTimer = requestAnimationFrame(() => setTimeout(renderList, 0));
  $("undo").disabled = !undo.canUndo;
  $("redo").disabled = !undo.canRedo;
  state.suggestions?.draw();
  state.recommendations?.drawSoon();
}

function sortedSpans() {
  return [...state.spans.values()].sort(byPosition);
}

function renderList() {
  const shown = state.list.set(sortedSpans(), state.filter, state.selected);
  $("span-count").textContent = `${shown} of ${plural(state.spans.size, "span")}`;
  renderLegend($("legend"), labelsInUse(state.spans.values(), state.labels), state.filter, setFilter);
}

function setFilter(key) {
  state.filter = key;
  $("filter").value = key;
  renderList();
}

function renderEditor() {
  const span = state.spans.get(state.selected);
  $("editor").hidden = !span;
  state.card?.pin(span ? [span.client_id] : null, span ? state.view.elementsOf(span.client_id)[0] : null);
  if (!span) return;
  $("editor-summary").replaceChildren(
    `${labelName(span.label)}: “`,
    bdi(span.text),
    `” ${offsetsText(span)}`,
  );
  if (document.activeElement !== $("note")) $("note").value = span.note ?? "";
  renderSpanDiscussion(span);
}

function renderSpanDiscussion(span) {
  const count = span.id === undefined ? 0 : state.threads.count(span.id);
  $("span-comment-count").textContent = count ? `(${count})` : "";
  const box = $("span-discussion");
  if (box.dataset.span === String(span.client_id) && box.dataset.saved === String(span.id !== undefined)) {
    return; // the same thread is drawn already (and may hold a comment being written)
  }
  box.dataset.span = span.client_id;
  box.dataset.saved = String(span.id !== undefined);
  state.discussion.render(box, span.id ?? -1, {
    label: "Comments on this span",
    unsaved: span.id === undefined ? "The span is being saved; then you can discuss it." : undefined,
  });
}

function renderArticleDiscussion() {
  const count = state.threads.count(null);
  $("article-comment-count").textContent = count ? `(${count})` : "";
  state.discussion.render($("article-discussion"), null, { label: "Comments on this article" });
}

function selectSpan(cid, { scroll = false } = {}) {
  state.selected = cid;
  refresh();
  if (!cid || !scroll) return;
  renderList();
  state.list.reveal(cid);
  const els = state.view.elementsOf(cid);
  if (els.length === 0) return;
  els[0].scrollIntoView({ block: "center" });
  for (const el of els) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }
  state.card.pin([cid], els[0]);
}

/** Card lines for the spans under a highlight: the label's name and the note. */
function describeSpans(ids) {
  return ids
    .map((id) => state.spans.get(id))
    .filter(Boolean)
    .map((span) => ({
      name: labelName(span.label),
      colour: safeColour(state.labels.get(span.label)?.colour),
      detail: span.note ? `Note: ${span.note}` : "",
    }));
}

// --- selections -----------------------------------------------------------------------------

/** The normalized span the current selection means, or null. */
function currentSelection() {
  return state.selection.current({ snapWords: prefs.snapWords });
}

function clearSelection() {
  state.selection.clear();
  state.lastSelection = null;
}

// --- span actions ---------------------------------------------------------------------------

/** Why the page refuses `candidate` (rules.js), said in the notice; true when refused. */
function refused(candidate, verb) {
  const found = refusal(state.spans.values(), candidate, { allowOverlap: state.allowOverlap });
  if (!found) return false;
  const other = found.other;
  if (found.reason === "identical") {
    notify(`${verb}: you already marked “`, bdi(other.text), `” as ${labelName(other.label)}.`);
  } else {
    notify(
      `${verb}: this project does not allow overlapping spans, and it would overlap ${labelName(other.label)} “`,
      bdi(other.text),
      `” ${offsetsText(other)}.`,
    );
  }
  return true;
}

function create(span) {
  if (refused(span, "Not added")) return;
  notify();
  undo.record({ type: "create", span });
  state.selected = span.client_id;
  commit([{ op: "create", ...span }]);
}

/** A label key or a label click: label the selected text, or relabel the selected span. */
function pickLabel(key, { clicked = false } = {}) {
  // A tap on a label may clear a touch selection first: a click uses the last one made.
  const sel = currentSelection() ?? (clicked ? state.lastSelection : null);
  if (sel) {
    const span = { client_id: newClientId(), label: key, start: sel.start, end: sel.end, text: sel.text, note: "" };
    clearSelection();
    create(span);
    return;
  }
  const span = state.spans.get(state.selected);
  if (span) {
    if (span.label !== key) update(span, { label: key }, "Not relabelled");
    return;
  }
  notify(`Nothing to label with ${labelName(key)}: select some text first, or a span to relabel.`);
}

/** Accept a diff suggestion (suggestions.js): a span created as a selection would be. */
function acceptSuggestion(suggestion, label) {
  const { start, end, text } = suggestion;
  create({ client_id: newClientId(), label, start, end, text, note: "", origin: "suggestion" });
}

/** Accept a recommendation (recommendations.js): a span that names the model that proposed it. */
function acceptRecommendation(recommendation, label) {
  const { start, end, origin_model: originModel } = recommendation;
  const text = state.tools.index.slice(start, end);
  create({
    client_id: newClientId(),
    label,
    start,
    end,
    text,
    note: "",
    origin: "recommender",
    origin_model: originModel ?? "",
  });
}

function update(span, after, verb = "Not changed") {
  if (("label" in after || "start" in after) && refused({ ...span, ...after }, verb)) return;
  notify();
  const before = Object.fromEntries(Object.keys(after).map((k) => [k, span[k]]));
  undo.record({ type: "update", client_id: span.client_id, before, after });
  commit([{ op: "update", client_id: span.client_id, version: span.version, ...after }]);
}

function deleteSelected() {
  const span = state.spans.get(state.selected);
  if (!span) return;
  const copy = { client_id: span.client_id, ...Object.fromEntries(SPAN_FIELDS.map((k) => [k, span[k]])) };
  undo.record({ type: "delete", span: copy });
  commit([{ op: "delete", client_id: span.client_id, version: span.version }]);
}

/** Move one edge of the selected span by a grapheme cluster. */
function adjust(edge, direction) {
  const span = state.spans.get(state.selected);
  if (!span) return;
  const t = state.tools;
  let { start, end } = span;
  if (edge === "start") start = direction > 0 ? t.nextGrapheme(start) : t.prevGrapheme(start);
  else end = direction > 0 ? t.nextGrapheme(end) : t.prevGrapheme(end);
  if (start >= end || (start === span.start && end === span.end)) return;
  update(span, { start, end, text: t.index.slice(start, end) });
}

function undoOrRedo(redo) {
  const ops = redo ? undo.redo() : undo.undo();
  if (!ops) return;
  notify();
  commit(ops);
}

function visibleSpans() {
  return sortedSpans().filter((s) => !state.filter || s.label === state.filter);
}

function neighbour(step) {
  const spans = visibleSpans();
  if (spans.length === 0) return;
  const at = spans.findIndex((s) => s.client_id === state.selected);
  const next = at < 0 ? (step > 0 ? 0 : spans.length - 1) : (at + step + spans.length) % spans.length;
  selectSpan(spans[next].client_id, { scroll: true });
}

/** Tab in the text: the next span, or out of the text after the last one. */
function tabThroughSpans(event) {
  const spans = visibleSpans();
  const at = spans.findIndex((s) => s.client_id === state.selected);
  const next = event.shiftKey ? (at < 0 ? spans.length - 1 : at - 1) : at + 1;
  if (next < 0 || next >= spans.length) return false;
  event.preventDefault();
  selectSpan(spans[next].client_id, { scroll: true });
  return true;
}

// --- finishing the article ------------------------------------------------------------------

const FINISH_WORDS = { complete: "Marking this article done", skip: "Skipping this article" };

const pendingFinish = new PendingFinish({
  onChange(pending) {
    // The bar's buttons must not keep the focus once it hides: Enter would press them unseen.
    if (!pending && $("finish-bar").contains(document.activeElement)) {
      $("text").focus({ preventScroll: true });
    }
    $("finish-bar").hidden = !pending;
    if (pending) $("finish-text").textContent = `${FINISH_WORDS[pending.action]} in ${pending.secondsLeft} s…`;
  },
  onCommit: (action) => finish(action),
});

async function finish(action) {
  const button = $(action === "complete" ? "done" : "skip");
  button.disabled = true;
  try {
    await queue.flush().catch(() => {});
    const result = await api(`/articles/${articleId}/${action}/`, { method: "POST" });
    window.location.assign(result.next ? `/annotate/${result.next}/` : `/projects/${slug}/annotate/`);
  } catch (exc) {
    showError({ detail: `Could not ${action === "complete" ? "finish" : "skip"} the article: ${exc.message}` }, conflictHooks);
    button.disabled = false;
  }
}

// --- keys -----------------------------------------------------------------------------------

function onKey(event) {
  const target = event.target;
  // Keys typed into a field are text; a checkbox or button in focus leaves them to the page.
  const typing = target.closest?.('textarea, select, input:not([type="checkbox"], [type="radio"])');
  if (typing) {
    if (event.key === "Escape") target.blur();
    return;
  }
  if (target.closest?.("dialog")) return; // the keys list handles its own (Esc closes it)
  const key = event.key;
  const ctrl = event.ctrlKey || event.metaKey;
  if (pendingFinish.pending) {
    if (key === "Escape" || (ctrl && key.toLowerCase() === "z")) {
      event.preventDefault();
      pendingFinish.undo();
      notify("Undone: the article stays open.");
      return;
    }
    if (key === "Enter" && !target.closest?.("button, a, summary")) {
      event.preventDefault();
      pendingFinish.now();
      return;
    }
  }
  if (ctrl && key.toLowerCase() === "z") {
    event.preventDefault();
    undoOrRedo(event.shiftKey);
    return;
  }
  if (ctrl && key.toLowerCase() === "y") {
    event.preventDefault();
    undoOrRedo(true);
    return;
  }
  if ((key === "ArrowLeft" || key === "ArrowRight") && event.altKey && state.selected) {
    event.preventDefault();
    adjust(event.shiftKey ? "start" : "end", key === "ArrowRight" ? 1 : -1);
    return;
  }
  if ((key === "ArrowLeft" || key === "ArrowRight") && target === $("text") && !event.altKey) {
    event.preventDefault();
    state.selection.move(event);
    return;
  }
  if (key === "Tab" && target === $("text") && !ctrl && !event.altKey) {
    tabThroughSpans(event);
    return;
  }
  if (ctrl || event.altKey) return;
  if (state.suggestions?.onKey(event)) return;
  if (state.recommendations?.onKey(event)) return;
  if (key === "Delete" || key === "Backspace") {
    if (state.selected) {
      event.preventDefault();
      deleteSelected();
    }
    return;
  }
  if (key === "Escape") {
    if (state.guidelines.isOpen) state.guidelines.close();
    toggleLabels(false);
    clearSelection();
    selectSpan(null);
    notify();
    return;
  }
  if (key === "Enter" && state.selected && !target.closest?.("button, a, summary")) {
    event.preventDefault();
    $("note").focus();
    return;
  }
  if (key === "[" || key === "]") {
    event.preventDefault();
    neighbour(key === "]" ? 1 : -1);
    return;
  }
  if (onPanelKey(event, state)) return;
  if (event.shiftKey && key === "L") {
    event.preventDefault();
    toggleLabels();
    return;
  }
  const lower = key.toLowerCase();
  if (state.hotkeys.has(lower)) {
    event.preventDefault();
    pickLabel(state.hotkeys.get(lower));
  } else if (lower === "u") {
    undoOrRedo(false);
  } else if (lower === "n" && state.selected) {
    event.preventDefault();
    $("note").focus();
  } else if (lower === "d") {
    pendingFinish.request("complete");
  } else if (lower === "s") {
    pendingFinish.request("skip");
  }
}

/** Open or close the label drawer of narrow screens (force: true/false, or toggle). */
function toggleLabels(force) {
  const open = document.body.classList.toggle("show-labels", force);
  $("labels-toggle").setAttribute("aria-expanded", String(open));
}

// --- loading --------------------------------------------------------------------------------

let cacheTimer = null;

function saveCache() {
  clearTimeout(cacheTimer);
  if (!state.loaded) return;
  writeJson(CACHE_KEY, { ...state.loaded, spans: [...state.server.values()] });
}

function saveCacheSoon() {
  clearTimeout(cacheTimer);
  cacheTimer = setTimeout(saveCache, 500);
}

async function fetchAll() {
  try {
    const [article, project, spans] = await Promise.all([
      api(`/articles/${articleId}/`),
      api(`/projects/${slug}/`),
      api(`/articles/${articleId}/spans/`),
    ]);
    return { article, project, spans: spans.map(localSpan), offline: false };
  } catch (exc) {
    // Offline: the copy kept by the last visit lets work go on (queued changes replay on it).
    const cached = readJson(CACHE_KEY);
    if (cached?.article?.id === articleId) return { ...cached, offline: true };
    throw exc;
  }
}

async function loadComments() {
  try {
    const data = await api(`/articles/${articleId}/comments/`);
    state.threads = new Threads(data.comments);
  } catch {
    state.threads = new Threads(); // offline: discussions need the server
  }
  state.discussion = new Discussion({
    articleId,
    threads: state.threads,
    username,
    onChange: () => {
      renderArticleDiscussion();
      const span = state.spans.get(state.selected);
      if (span) $("span-comment-count").textContent = state.threads.count(span.id) ? `(${state.threads.count(span.id)})` : "";
      renderList();
    },
  });
}

/** The page's h1 says the title; when the text starts with it, the text shows it instead. */
function showTitle(article) {
  const title = article.title || article.external_id;
  $("title").textContent = title;
  const firstLine = article.text.split("\n", 1)[0].trim();
  if (article.title && firstLine === article.title.trim()) {
    $("title").classList.add("visually-hidden");
    state.view.blocks[0]?.el.classList.add("title-line");
  }
}

async function main() {
  queue.subscribe(showStatus);
  let data;
  try {
    data = await fetchAll();
  } catch (exc) {
    $("text").textContent = `Could not load the article: ${exc.message}`;
    return;
  }
  const { article, project } = data;
  state.loaded = { article, project };
  state.allowOverlap = project.allow_overlap !== false;
  $("progress").textContent = progressText(project.progress?.mine);
  for (const label of project.labels) state.labels.set(label.key, label);
  state.hotkeys = renderPalette($("palette"), project.labels, (key) =>
    pickLabel(key, { clicked: true }),
  );
  state.keys = setUpKeysDialog($("keys-dialog"), [labelSection(project.labels), ...ANNOTATE_SHORTCUTS]);
  state.guidelines = setUpGuidelines($("guidelines-panel"), $("guidelines-toggle"));
  const filter = $("filter");
  for (const label of project.labels.filter((l) => !l.retired)) {
    const option = document.createElement("option");
    option.value = label.key;
    option.textContent = label.name;
    filter.append(option);
  }
  filter.addEventListener("change", () => setFilter(filter.value));

  performance.mark("annotator:render-start");
  const index = makeOffsetIndex(article.text);
  state.tools = createSelectionTools(article.text, { index });
  state.view = new TextView($("text"), index, {
    colourOf: (key) => safeColour(state.labels.get(key)?.colour),
    nameOf: labelName,
    images: article.images,
  });
  state.selection = new TextSelection(state.view, state.tools, $("caret"));
  showTitle(article);
  state.card = new SpanCard($("text"), describeSpans, (el) => state.view.spansAt(el));
  state.list = new SpanList($("span-list-box"), $("span-list"), {
    labels: state.labels,
    onPick: (cid) => selectSpan(cid, { scroll: true }),
    comments: (span) => (span.id === undefined ? 0 : state.threads.count(span.id)),
  });
  for (const span of data.spans) {
    state.spans.set(span.client_id, span);
    state.server.set(span.client_id, { ...span });
  }
  // Changes still waiting from an earlier visit are shown as the annotator left them.
  for (const op of queue.pending()) if (op.article === articleId) applyLocal(op);
  refresh();
  // bench/render.py reads this measure: text and spans built, laid out and painted.
  requestAnimationFrame(() =>
    setTimeout(() => performance.measure("annotator:render", "annotator:render-start"), 0),
  );
  if (!data.offline) saveCache();
  else {
    const detail = "This is the copy from your last visit; changes stay in this browser until saved.";
    showError({ title: "The server cannot be reached", detail }, conflictHooks);
  }
  if (queue.size > 0) queue.schedule(0);
  wire();
  await loadComments();
  renderArticleDiscussion();
  refresh();
  state.suggestions = new Suggestions({
    articleId,
    userId,
    view: state.view,
    doc: document.querySelector("#app .doc"),
    panelParent: document.querySelector("#app aside.right"),
    before: $("filter").previousElementSibling,
    labels: state.labels,
    hotkeys: state.hotkeys,
    spans: () => state.spans.values(),
    accept: acceptSuggestion,
    onPick: () => state.recommendations?.release(),
  });
  state.recommendations = new Recommendations({
    articleId,
    view: state.view,
    doc: document.querySelector("#app .doc"),
    panelParent: document.querySelector("#app aside.right"),
    before: $("filter").previousElementSibling,
    labels: state.labels,
    hotkeys: state.hotkeys,
    colourOf: (key) => safeColour(state.labels.get(key)?.colour),
    spans: () => state.spans.values(),
    accept: acceptRecommendation,
    notify,
    onPick: () => state.suggestions.release(),
  });
  await Promise.all([state.suggestions.load(), state.recommendations.load()]);
  app.dataset.ready = "true";
}

function wire() {
  document.addEventListener("keydown", onKey);
  document.addEventListener("selectionchange", () => {
    const sel = currentSelection();
    if (sel) state.lastSelection = sel;
  });
  $("text").addEventListener("click", (event) => {
    if (!window.getSelection().isCollapsed) return;
    const ids = state.view.spansAt(event.target);
    if (ids.length === 0) {
      if (state.selected) selectSpan(null);
      return;
    }
    const at = ids.indexOf(state.selected);
    selectSpan(ids[(at + 1) % ids.length]);
  });
  $("text").addEventListener("mousedown", () => {
    state.selection.forgetKeyboard();
    state.lastSelection = null;
  });
  $("undo").addEventListener("click", () => undoOrRedo(false));
  $("redo").addEventListener("click", () => undoOrRedo(true));
  $("done").addEventListener("click", () => pendingFinish.request("complete"));
  $("skip").addEventListener("click", () => pendingFinish.request("skip"));
  $("finish-undo").addEventListener("click", () => {
    pendingFinish.undo();
    notify("Undone: the article stays open.");
  });
  $("finish-now").addEventListener("click", () => pendingFinish.now());
  $("delete-span").addEventListener("click", deleteSelected);
  $("retry-now").addEventListener("click", () => queue.schedule(0));
  $("keys-toggle").addEventListener("click", () => state.keys.toggle());
  $("labels-toggle").addEventListener("click", () => toggleLabels());
  window.addEventListener("online", () => queue.schedule(0));
  window.addEventListener("pagehide", saveCache);
  for (const button of document.querySelectorAll("[data-adjust]")) {
    const [edge, dir] = button.dataset.adjust.split(":");
    button.addEventListener("click", () => adjust(edge, Number(dir)));
  }
  $("note").addEventListener("change", () => {
    const span = state.spans.get(state.selected);
    const note = $("note").value;
    if (span && note !== (span.note ?? "")) update(span, { note });
  });
  const snap = $("snap-words");
  snap.checked = Boolean(prefs.snapWords);
  snap.addEventListener("change", () => {
    prefs.snapWords = snap.checked;
    writeJson(PREFS_KEY, prefs);
  });
  const names = $("show-names");
  names.checked = Boolean(prefs.names);
  $("text").classList.toggle("names", names.checked);
  names.addEventListener("change", () => {
    prefs.names = names.checked;
    $("text").classList.toggle("names", names.checked);
    writeJson(PREFS_KEY, prefs);
  });
}

main();
