/**
 * The reviewer's curation page: every annotator's spans of one article grouped where they
 * coincide (same start, end and label), who marked each group with their notes, and the gold
 * layer. The reviewer accepts a group into gold (a), rejects it (r), or edits it in place before
 * accepting (e); selects text (mouse or keyboard, the annotation page's selection code, caret.js)
 * and presses a label key to add a gold span of their own; compares annotators row by row
 * (rows.js); discusses spans with their annotators. All through the review and comments APIs
 * (docs/api.md); offsets are code points, converted only to draw (offsets.js).
 */

import { api, ApiError } from "./api.js";
import { TextSelection } from "./caret.js";
import { Discussion } from "./discussion.js";
import { bdi, chip, el } from "./dom.js";
import { makeOffsetIndex } from "./offsets.js";
import { setUpGuidelines, setUpKeysDialog } from "./overlay.js";
import { renderPalette, safeColour } from "./palette.js";
import { TextView } from "./render.js";
import { AnnotatorRows } from "./rows.js";
import { refusal } from "./rules.js";
import { createSelectionTools } from "./selection.js";
import { labelSection, onPanelKey, REVIEW_SHORTCUTS } from "./shortcuts.js";
import { SpanCard } from "./spancard.js";
import { humanizeDetail, isolate, offsetsText, plural } from "./text.js";
import { Threads } from "./threads.js";

const $ = (id) => document.getElementById(id);
const app = $("review-app");
const articleId = Number(app.dataset.article);
const slug = app.dataset.project;
const CANDIDATE = "?"; // prefix of a label key drawn as a candidate (grey), not gold
const CANDIDATE_COLOUR = "#9e9e9e";

const state = {
  labels: new Map(),
  hotkeys: new Map(),
  groups: [],
  annotators: [],
  current: 0,
  editing: null, // key of the group whose editor is open
  view: null,
  index: null,
  selection: null,
  threads: new Threads(),
  allowOverlap: true,
};

const keyOf = (g) => `${g.start}:${g.end}:${g.label}`;
const labelName = (key) => state.labels.get(key)?.name ?? key;

function say(message, kind = "ok") {
  const status = $("review-status");
  status.textContent = message;
  status.dataset.state = kind === "error" ? "offline" : kind === "busy" ? "saving" : "";
}

function notify(...parts) {
  $("notice").replaceChildren(...parts);
}

function describeError(exc) {
  if (!(exc instanceof ApiError)) return "Network error: nothing was changed.";
  return humanizeDetail(exc.body, state.labels) || `Error ${exc.status}`;
}

/** Run an API write, report its outcome, and reload the groups (keeping the selection). */
async function act(busy, write, done, keep) {
  say(busy, "busy");
  try {
    const result = await write();
    await reload(keep);
    say(done(result));
  } catch (exc) {
    say(describeError(exc), "error");
  }
}

function fetchReview() {
  return Promise.all([api(`/articles/${articleId}/review/`), api(`/articles/${articleId}/comments/`)]);
}

async function reload(keep, fetched) {
  const [data, comments] = fetched ?? (await fetchReview());
  state.groups = data.groups;
  state.annotators = data.annotators;
  state.threads = new Threads(comments.comments);
  state.discussion.threads = state.threads;
  $("curation-status").value = data.curation.status;
  const found = keep ? state.groups.findIndex((g) => keyOf(g) === keep) : -1;
  state.current = Math.max(0, Math.min(found >= 0 ? found : state.current, state.groups.length - 1));
  if (state.editing && !state.groups.some((g) => keyOf(g) === state.editing)) state.editing = null;
  render();
  renderArticleDiscussion();
}

function current() {
  return state.groups[state.current] ?? null;
}

function render() {
  const spans = new Map();
  for (const g of state.groups) {
    if (g.rejected && !g.gold) continue;
    const id = keyOf(g);
    spans.set(id, { client_id: id, start: g.start, end: g.end, label: g.gold ? g.label : CANDIDATE + g.label });
  }
  const selected = current() ? keyOf(current()) : null;
  state.view.update(spans, spans.has(selected) ? selected : null);
  drawRows();
  renderList();
}

function drawRows() {
  if (!$("rows-toggle").checked) {
    state.rows.clear();
    return;
  }
  state.rows.draw(
    state.annotators.map((a) => ({
      name: a.username,
      spans: state.groups
        .filter((g) => g.annotators.some((x) => x.id === a.id))
        .map((g) => ({ id: keyOf(g), start: g.start, end: g.end, label: g.label })),
    })),
  );
}

/** Card lines over a highlight: the label, gold or not, and who marked it. */
function describeGroups(ids) {
  return ids
    .map((id) => state.groups.find((g) => keyOf(g) === id))
    .filter(Boolean)
    .map((g) => ({
      name: labelName(g.label),
      colour: safeColour(state.labels.get(g.label)?.colour),
      detail: `${g.gold ? "gold" : "candidate"} · ${g.count} of ${plural(state.annotators.length, "annotator")}${
        g.annotators.length ? `: ${g.annotators.map((a) => a.username).join(", ")}` : ""
      }`,
    }));
}

function button(text, title, onClick) {
  const b = el("button", null, text);
  b.type = "button";
  b.title = title;
  b.tabIndex = -1; // the list item is the tab stop; a/r/e act on it
  b.addEventListener("click", onClick);
  return b;
}

function renderList() {
  const list = $("groups");
  const hadFocus = list.contains(document.activeElement) && !document.activeElement.closest("form, details");
  const total = state.annotators.length;
  const inGold = state.groups.filter((g) => g.gold).length;
  $("group-count").textContent = `${plural(state.groups.length, "candidate")}, ${inGold} in gold, ${plural(total, "annotator")}`;
  const items = state.groups.map((g, i) => groupItem(g, i, total));
  list.replaceChildren(...items);
  if (hadFocus) items[state.current]?.focus(); // a rebuilt list must not drop the keyboard focus
  const editing = state.groups.findIndex((g) => keyOf(g) === state.editing);
  if (editing >= 0) openEditorIn(items[editing], state.groups[editing]);
}

function groupItem(g, i, total) {
  const li = el("li", "group");
  li.classList.toggle("current", i === state.current);
  li.classList.toggle("in-gold", Boolean(g.gold));
  li.classList.toggle("rejected", g.rejected && !g.gold);
  li.tabIndex = 0;
  li.dataset.key = keyOf(g);
  li.setAttribute("aria-current", i === state.current ? "true" : "false");
  const head = el("div");
  head.append(chip(safeColour(state.labels.get(g.label)?.colour)), " ", el("strong", null, labelName(g.label)), " ");
  const quote = el("q");
  quote.append(bdi(g.text));
  head.append(quote);
  if (g.gold || g.rejected) head.append(" ", el("span", "badge", g.gold ? "gold" : "rejected"));
  const who = el("div", "who");
  const names = g.annotators.map((a) => a.username).join(", ");
  who.append(`${g.count} of ${total} annotators`);
  if (names) who.append(": ", bdi(names));
  who.append(` · ${offsetsText(g)}`);
  li.append(head, who);
  const notes = g.annotators.filter((a) => a.note);
  if (notes.length || g.gold_note) {
    const box = el("ul", "notes");
    box.setAttribute("aria-label", "Notes");
    for (const a of notes) {
      const item = el("li");
      item.append(el("span", "note-author", `${a.username}: `), bdi(a.note));
      box.append(item);
    }
    if (g.gold_note) {
      const item = el("li");
      item.append(el("span", "note-author", "gold: "), bdi(g.gold_note));
      box.append(item);
    }
    li.append(box);
  }
  const row = el("div", "row");
  row.append(
    button("Accept", "a", () => {
      select(i);
      accept();
    }),
    button("Reject", "r", () => {
      select(i);
      reject();
    }),
    button("Edit", "e", () => {
      select(i);
      openEditor();
    }),
  );
  li.append(row, groupDiscussion(g));
  li.addEventListener("focus", () => select(i, false));
  return li;
}

/** The threads of the group's spans (one per annotator, and gold), drawn when opened. */
function groupDiscussion(g) {
  const threads = [
    ...g.annotators.map((a) => ({ span: a.span, label: `With ${a.username}` })),
    ...(g.gold ? [{ span: g.gold, label: "On the gold span" }] : []),
  ];
  const count = threads.reduce((n, t) => n + state.threads.count(t.span), 0);
  const details = el("details", "group-discussion");
  const summary = el("summary", null, count ? `Discussion (${count})` : "Discussion");
  details.append(summary);
  details.addEventListener("toggle", () => {
    if (!details.open || details.dataset.drawn) return;
    details.dataset.drawn = "true";
    for (const t of threads) {
      const box = el("div", "thread");
      box.append(el("h3", null, t.label));
      const body = el("div");
      box.append(body);
      details.append(box);
      state.discussion.render(body, t.span, { label: `Comments: ${t.label}` });
    }
  });
  return details;
}

function renderArticleDiscussion() {
  const count = state.threads.count(null);
  $("article-comment-count").textContent = count ? `(${count})` : "";
  state.discussion.render($("article-discussion"), null, { label: "Comments on this article" });
}

/** Make group i current; `focus` moves the keyboard focus to its list item. */
function select(i, focus = true) {
  if (i < 0 || i >= state.groups.length) return;
  const changed = i !== state.current;
  state.current = i;
  if (changed) {
    if (state.editing && state.editing !== keyOf(state.groups[i])) state.editing = null;
    render();
  }
  const li = $("groups").children[i];
  if (focus && li && document.activeElement !== li) li.focus();
  const g = current();
  const seg = g && state.view.elementsOf(keyOf(g))[0];
  seg?.scrollIntoView({ block: "nearest" });
}

function candidate(g) {
  return { start: g.start, end: g.end, label: g.label };
}

function accept(g = current(), done = "Accepted into gold") {
  if (!g) return;
  act(
    "Accepting...",
    () => api(`/articles/${articleId}/review/accept/`, { method: "POST", body: candidate(g) }),
    () => `${done}: ${labelName(g.label)} “${isolate(g.text)}”`,
    keyOf(g),
  );
}

function reject() {
  const g = current();
  if (!g) return;
  act(
    "Rejecting...",
    () => api(`/articles/${articleId}/review/reject/`, { method: "POST", body: candidate(g) }),
    (r) => `Rejected${r.removed_from_gold ? " and removed from gold" : ""}: “${isolate(g.text)}”`,
    keyOf(g),
  );
}

/** The gold spans now shown, for the page's own overlap check. */
function goldSpans() {
  return state.groups.filter((g) => g.gold).map((g) => ({ client_id: keyOf(g), ...candidate(g), text: g.text }));
}

/** A label key with text selected: that text, with that label, into gold. */
function addGold(label, sel) {
  const wanted = { start: sel.start, end: sel.end, label };
  const found = refusal(goldSpans(), wanted, { allowOverlap: state.allowOverlap });
  if (found?.reason === "overlap") {
    notify(
      `Not added: this project does not allow overlapping spans, and it would overlap the gold ${labelName(found.other.label)} “`,
      bdi(found.other.text),
      "”.",
    );
    return;
  }
  notify();
  state.selection.clear();
  accept({ ...wanted, text: sel.text }, "Added to gold");
}

function openEditor() {
  const g = current();
  if (!g) return;
  state.editing = keyOf(g);
  openEditorIn($("groups").children[state.current], g);
  $("edit-start").focus();
}

/** The editor, in place under its group: start, end, label, the text they cover. */
function openEditorIn(li, g) {
  if (!li || li.querySelector("#edit-form")) return;
  const form = el("form");
  form.id = "edit-form";
  form.setAttribute("aria-label", "Edit the candidate before accepting it");
  const field = (name, input) => {
    const label = el("label", null, `${name} `);
    label.append(input);
    return label;
  };
  const start = Object.assign(el("input"), { type: "number", id: "edit-start", min: 0, required: true, value: g.start });
  const end = Object.assign(el("input"), { type: "number", id: "edit-end", min: 1, required: true, value: g.end });
  const label = el("select");
  label.id = "edit-label";
  for (const l of [...state.labels.values()].filter((x) => !x.retired)) {
    label.append(Object.assign(el("option", null, l.name), { value: l.key }));
  }
  label.value = g.label;
  const text = el("q");
  text.id = "edit-text";
  const preview = el("p", null, "Text: ");
  preview.append(text);
  const useSelection = el("button", null, "Use the selected text");
  useSelection.type = "button";
  const submit = el("button", "primary", "Accept edited");
  submit.type = "submit";
  const cancel = el("button", null, "Cancel");
  cancel.type = "button";
  cancel.id = "edit-cancel";
  form.append(field("Start", start), field("End", end), field("Label", label), preview, useSelection, " ", submit, " ", cancel);
  const show = () => {
    const s = Number(start.value);
    const e = Number(end.value);
    const ok = Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s < e && e <= state.index.length;
    text.replaceChildren(ok ? bdi(state.index.slice(s, e)) : "(offsets outside the text)");
  };
  show();
  form.addEventListener("input", show);
  // The selection must survive the click: the button acts on it.
  useSelection.addEventListener("mousedown", (event) => event.preventDefault());
  useSelection.addEventListener("click", () => {
    const sel = state.selection.current();
    if (!sel) {
      notify("Select the text in the article first.");
      return;
    }
    start.value = sel.start;
    end.value = sel.end;
    show();
  });
  cancel.addEventListener("click", closeEditor);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeEditor();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const edited = { start: Number(start.value), end: Number(end.value), label: label.value };
    state.editing = null;
    accept({ ...edited, text: state.index.slice(edited.start, edited.end) }, "Accepted edited span");
  });
  li.append(form);
}

function closeEditor() {
  state.editing = null;
  $("edit-form")?.remove();
  $("groups").children[state.current]?.focus();
}

function autoAccept(wholeProject) {
  const k = Number($("auto-k").value);
  const body = wholeProject ? { k } : { k, article_ids: [articleId] };
  act(
    "Auto-accepting...",
    () => api(`/projects/${slug}/review/auto-accept/`, { method: "POST", body }),
    (r) => `Auto-accept (k ≥ ${r.k}): ${r.promoted} promoted${r.skipped ? `, ${r.skipped} skipped` : ""}`,
    current() ? keyOf(current()) : null,
  );
}

function setStatus() {
  const status = $("curation-status").value;
  act(
    "Saving status...",
    () => api(`/articles/${articleId}/curation/`, { method: "PATCH", body: { status } }),
    (r) => `Curation status: ${r.status.replace("_", " ")}`,
    current() ? keyOf(current()) : null,
  );
}

function onKey(event) {
  const target = event.target;
  if (target.closest?.("input, select, textarea, form, dialog")) return;
  const key = event.key;
  if (event.altKey) return;
  if ((key === "ArrowLeft" || key === "ArrowRight") && target === $("text") && !event.metaKey) {
    event.preventDefault();
    state.selection.move(event);
    return;
  }
  if (event.ctrlKey || event.metaKey) return;
  if (onPanelKey(event, state)) return;
  // With text selected, label keys add gold spans (a, r and e may be label keys too).
  const sel = state.selection.current();
  const lower = key.toLowerCase();
  if (sel && state.hotkeys.has(lower)) {
    event.preventDefault();
    addGold(state.hotkeys.get(lower), sel);
    return;
  }
  const inList = target.closest?.("#groups");
  switch (key) {
    case "a":
      accept();
      break;
    case "r":
      reject();
      break;
    case "e":
      openEditor();
      break;
    case "ArrowDown":
      select(state.current + 1);
      break;
    case "ArrowUp":
      select(state.current - 1);
      break;
    case "Escape":
      state.selection.clear();
      if (state.guidelines.isOpen) state.guidelines.close();
      notify();
      return;
    case "Tab":
      // Inside the list Tab steps through the candidates; at either end it leaves the list.
      if (!inList || target.closest("details")) return;
      if (event.shiftKey ? state.current === 0 : state.current === state.groups.length - 1) return;
      select(state.current + (event.shiftKey ? -1 : 1));
      break;
    default:
      if (state.hotkeys.has(lower)) {
        notify(`To add a gold ${labelName(state.hotkeys.get(lower))} span, select its text in the article first.`);
      }
      return;
  }
  event.preventDefault();
}

function onTextClick(event) {
  if (!window.getSelection().isCollapsed) return;
  const rowSeg = event.target.closest?.(".row-seg");
  const ids = rowSeg ? rowSeg.spanIds : state.view.spansAt(event.target);
  if (!ids.length) return;
  // Clicking the same place again cycles through the groups that cover it.
  const keys = state.groups.map(keyOf);
  const at = ids.indexOf(keyOf(current() ?? {}));
  select(keys.indexOf(ids[(at + 1) % ids.length]));
}

function showTitle(article) {
  const firstLine = article.text.split("\n", 1)[0].trim();
  if (article.title && firstLine === article.title.trim()) {
    $("title").classList.add("visually-hidden");
    state.view.blocks[0]?.el.classList.add("title-line");
  }
}

async function main() {
  try {
    const [article, project, fetched] = await Promise.all([
      api(`/articles/${articleId}/`),
      api(`/projects/${slug}/`),
      fetchReview(),
    ]);
    for (const label of project.labels) state.labels.set(label.key, label);
    state.allowOverlap = project.allow_overlap !== false;
    state.hotkeys = renderPalette($("palette"), project.labels, (key) => {
      const sel = state.selection.current();
      if (sel) addGold(key, sel);
      else notify(`To add a gold ${labelName(key)} span, select its text in the article first.`);
    });
    state.keys = setUpKeysDialog($("keys-dialog"), [labelSection(project.labels), ...REVIEW_SHORTCUTS]);
    state.guidelines = setUpGuidelines($("guidelines-panel"), $("guidelines-toggle"));
    // bench/render.py reads "review:render": from here (everything fetched) to the first paint.
    performance.mark("review:render-start");
    state.index = makeOffsetIndex(article.text);
    const colourOf = (key) =>
      key.startsWith(CANDIDATE) ? CANDIDATE_COLOUR : safeColour(state.labels.get(key)?.colour);
    state.view = new TextView($("text"), state.index, {
      colourOf,
      nameOf: (key) => labelName(key.replace(CANDIDATE, "")),
      images: article.images ?? [],
    });
    showTitle(article);
    state.selection = new TextSelection(state.view, createSelectionTools(article.text, { index: state.index }), $("caret"));
    state.rows = new AnnotatorRows(state.view, { colourOf });
    state.card = new SpanCard($("text"), describeGroups, (seg) => state.view.spansAt(seg));
    state.discussion = new Discussion({
      articleId,
      threads: state.threads,
      username: app.dataset.username,
      onChange: () => renderArticleDiscussion(),
    });
    await reload(null, fetched);
    requestAnimationFrame(() => setTimeout(() => performance.measure("review:render", "review:render-start"), 0));
    say("Ready");
  } catch (exc) {
    say(`Could not load the article: ${describeError(exc)}`, "error");
    return;
  }
  document.addEventListener("keydown", onKey);
  $("text").addEventListener("click", onTextClick);
  $("text").addEventListener("mousedown", () => state.selection.forgetKeyboard());
  $("auto-article").addEventListener("click", () => autoAccept(false));
  $("auto-project").addEventListener("click", () => autoAccept(true));
  $("curation-status").addEventListener("change", setStatus);
  $("keys-toggle").addEventListener("click", () => state.keys.toggle());
  $("rows-toggle").addEventListener("change", drawRows);
  app.dataset.ready = "true";
}

main();
