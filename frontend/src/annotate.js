/**
 * The annotation page: loads the article, its project (labels, guidelines, progress) and the
 * annotator's spans through the REST API, shows them (render.js), and turns selections and keys
 * into span operations that update the page at once and go through the save queue (queue.js).
 */

import { api, sendBatch } from "./api.js";
import { makeOffsetIndex } from "./offsets.js";
import { renderPalette, safeColour } from "./palette.js";
import { fieldsOf, newClientId, SaveQueue, STORAGE_KEY } from "./queue.js";
import { adoptOrphanQueues, claimQueueKey } from "./tabqueue.js";
import { TextView } from "./render.js";
import { createSelectionTools } from "./selection.js";
import { byPosition, SpanList } from "./spanlist.js";
import { UndoStack } from "./undo.js";
import { showConflict, showError } from "./conflicts.js";
import { Suggestions } from "./suggestions.js";

const app = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const articleId = Number(app.dataset.article);
const slug = app.dataset.project;
const userId = app.dataset.user;
const CACHE_KEY = `annotator.lastArticle.${userId}`;
const PREFS_KEY = `annotator.prefs.${userId}`;
const SPAN_FIELDS = ["label", "start", "end", "text", "note"];

const state = {
  spans: new Map(), // client_id -> {client_id, id, version, label, start, end, text, note}
  selected: null,
  filter: "",
  labels: new Map(),
  hotkeys: new Map(),
  view: null,
  tools: null,
  kb: null, // keyboard selection {anchor, focus} in code points
  lastSelection: null, // the last non-empty text selection (touch users then tap a label)
};

const undo = new UndoStack({ versionOf: (cid) => state.spans.get(cid)?.version });
const prefs = readJson(PREFS_KEY) ?? { snapWords: false };

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
  },
  onConflict: (conflict) => showConflict(conflict, conflictHooks),
  onError: (error) => showError(error, conflictHooks),
});
queue.adopt(
  await adoptOrphanQueues({ base: queueBase, ownKey: queueKey, locks, storage: localStorage }),
);

function showStatus(status) {
  const el = $("save-status");
  el.dataset.state = status.state;
  if (status.state === "saved") el.textContent = "Saved";
  else if (status.state === "saving") el.textContent = "Saving...";
  else el.textContent = `Offline: ${status.pending} changes waiting`;
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
  localSpan,
  commit,
  forget(cid) {
    undo.forget(cid);
  },
  setServerCopy(cid, server) {
    if (server) state.spans.set(cid, { ...localSpan(server), client_id: cid });
    else state.spans.delete(cid);
    refresh();
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
  // The list follows in the next task so that the text is painted first.
  clearTimeout(listTimer);
  listTimer = setTimeout(renderList, 0);
  $("undo").disabled = !undo.canUndo;
  $("redo").disabled = !undo.canRedo;
  state.suggestions?.draw();
}

function sortedSpans() {
  return [...state.spans.values()].sort(byPosition);
}

function renderList() {
  const shown = state.list.set(sortedSpans(), state.filter, state.selected);
  $("span-count").textContent = `${shown} of ${state.spans.size} spans`;
}

function renderEditor() {
  const span = state.spans.get(state.selected);
  $("editor").hidden = !span;
  if (!span) return;
  const label = state.labels.get(span.label);
  $("editor-summary").textContent = `${label?.name ?? span.label}: “${span.text}” (${span.start}–${span.end})`;
  if (document.activeElement !== $("note")) $("note").value = span.note ?? "";
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
}

// --- selections -----------------------------------------------------------------------------

/** The normalized span the current selection means, or null. */
function currentSelection() {
  const sel = window.getSelection();
  if (sel.rangeCount > 0 && !sel.isCollapsed) {
    const u16 = state.view.utf16Range(sel.getRangeAt(0));
    if (u16) return state.tools.fromUtf16(u16[0], u16[1], { snapWords: prefs.snapWords });
  }
  return null;
}

function clearSelection() {
  window.getSelection().removeAllRanges();
  state.kb = null;
  state.lastSelection = null;
  $("caret").hidden = true;
}

/** Show the keyboard selection as the page's selection, so mouse and keys share one path. */
function showKeyboardSelection() {
  const { anchor, focus } = state.kb;
  const a = state.view.point(anchor);
  const f = state.view.point(focus);
  window.getSelection().setBaseAndExtent(a.node, a.offset, f.node, f.offset);
  const caret = $("caret");
  const rect = state.view.range(focus, focus).getBoundingClientRect();
  caret.hidden = false;
  caret.style.left = `${rect.left + window.scrollX}px`;
  caret.style.top = `${rect.top + window.scrollY}px`;
  caret.style.height = `${Math.max(rect.height, 16)}px`;
}

function moveCaret(event) {
  const t = state.tools;
  if (!state.kb) {
    const sel = window.getSelection();
    const u16 = sel.rangeCount ? state.view.utf16Range(sel.getRangeAt(0)) : null;
    const at = u16 ? state.tools.index.toCp(u16[1], "end") : 0;
    state.kb = { anchor: at, focus: at };
  }
  const forward = event.key === "ArrowRight";
  const pos = state.kb.focus;
  const next = event.ctrlKey
    ? forward ? t.nextWordBoundary(pos) : t.prevWordBoundary(pos)
    : forward ? t.nextGrapheme(pos) : t.prevGrapheme(pos);
  state.kb = { anchor: event.shiftKey ? state.kb.anchor : next, focus: next };
  showKeyboardSelection();
}

// --- span actions ---------------------------------------------------------------------------

/** A label key or a label click: label the selected text, or relabel the selected span. */
function pickLabel(key, { clicked = false } = {}) {
  // A tap on a label may clear a touch selection first: a click uses the last one made.
  const sel = currentSelection() ?? (clicked ? state.lastSelection : null);
  if (sel) {
    const span = { client_id: newClientId(), label: key, start: sel.start, end: sel.end, text: sel.text, note: "" };
    clearSelection();
    undo.record({ type: "create", span });
    state.selected = span.client_id;
    commit([{ op: "create", ...span }]);
    return;
  }
  const span = state.spans.get(state.selected);
  if (span && span.label !== key) update(span, { label: key });
}

/** Accept a diff suggestion (suggestions.js): a span created as a selection would be. */
function acceptSuggestion(suggestion, label) {
  const { start, end, text } = suggestion;
  const span = { client_id: newClientId(), label, start, end, text, note: "", origin: "suggestion" };
  undo.record({ type: "create", span });
  state.selected = span.client_id;
  commit([{ op: "create", ...span }]);
}

function update(span, after) {
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
  // A re-created span keeps the selection if it had it.
  commit(ops);
}

function neighbour(step) {
  const spans = sortedSpans().filter((s) => !state.filter || s.label === state.filter);
  if (spans.length === 0) return;
  const at = spans.findIndex((s) => s.client_id === state.selected);
  const next = at < 0 ? (step > 0 ? 0 : spans.length - 1) : (at + step + spans.length) % spans.length;
  selectSpan(spans[next].client_id, { scroll: true });
}

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
  const key = event.key;
  const ctrl = event.ctrlKey || event.metaKey;
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
    moveCaret(event);
    return;
  }
  if (ctrl || event.altKey) return;
  if (state.suggestions?.onKey(event)) return;
  if (key === "Delete" || key === "Backspace") {
    if (state.selected) {
      event.preventDefault();
      deleteSelected();
    }
    return;
  }
  if (key === "Escape") {
    clearSelection();
    selectSpan(null);
    return;
  }
  if (key === "[" || key === "]") {
    event.preventDefault();
    neighbour(key === "]" ? 1 : -1);
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
    finish("complete");
  } else if (lower === "s") {
    finish("skip");
  }
}

// --- loading --------------------------------------------------------------------------------

let cacheTimer = null;

function saveCache() {
  clearTimeout(cacheTimer);
  if (!state.loaded) return;
  writeJson(CACHE_KEY, { ...state.loaded, spans: [...state.spans.values()] });
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
    // Offline: the copy kept by the last visit (local spans included) lets work go on.
    const cached = readJson(CACHE_KEY);
    if (cached?.article?.id === articleId) return { ...cached, offline: true };
    throw exc;
  }
}

function showProgress(project) {
  const mine = project.progress?.mine;
  if (!mine) return;
  const finished = mine.done + mine.skipped;
  $("progress").textContent = `${finished} of ${mine.total} done`;
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
  $("title").textContent = article.title || article.external_id;
  $("guidelines-text").textContent = project.guidelines || "No guidelines.";
  showProgress(project);
  for (const label of project.labels) state.labels.set(label.key, label);
  state.hotkeys = renderPalette($("palette"), project.labels, (key) =>
    pickLabel(key, { clicked: true }),
  );
  const filter = $("filter");
  for (const label of project.labels.filter((l) => !l.retired)) {
    const option = document.createElement("option");
    option.value = label.key;
    option.textContent = label.name;
    filter.append(option);
  }
  filter.addEventListener("change", () => {
    state.filter = filter.value;
    renderList();
  });

  performance.mark("annotator:render-start");
  const index = makeOffsetIndex(article.text);
  state.tools = createSelectionTools(article.text, { index });
  state.view = new TextView($("text"), index, {
    colourOf: (key) => safeColour(state.labels.get(key)?.colour),
    images: article.images,
  });
  state.list = new SpanList($("span-list-box"), $("span-list"), {
    labels: state.labels,
    onPick: (cid) => selectSpan(cid, { scroll: true }),
  });
  for (const span of data.spans) state.spans.set(span.client_id, span);
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
  state.suggestions = new Suggestions({
    articleId,
    userId,
    view: state.view,
    doc: document.querySelector("#app .doc"),
    panelParent: document.querySelector("#app aside.right"),
    before: $("filter").closest("label"),
    labels: state.labels,
    hotkeys: state.hotkeys,
    spans: () => state.spans.values(),
    accept: acceptSuggestion,
  });
  await state.suggestions.load();
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
    state.kb = null;
    state.lastSelection = null;
    $("caret").hidden = true;
  });
  $("undo").addEventListener("click", () => undoOrRedo(false));
  $("redo").addEventListener("click", () => undoOrRedo(true));
  $("done").addEventListener("click", () => finish("complete"));
  $("skip").addEventListener("click", () => finish("skip"));
  $("delete-span").addEventListener("click", deleteSelected);
  $("retry-now").addEventListener("click", () => queue.schedule(0));
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
}

main();
