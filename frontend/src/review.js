/**
 * The reviewer's curation page: every annotator's spans of one article grouped where they
 * coincide (same start, end and label), who marked each group, and the gold layer. The reviewer
 * accepts a group into gold (a), rejects it (r), or edits it before accepting (e); auto-accept
 * promotes every group that at least k annotators marked identically. All through the review
 * API (docs/api.md, "Review"); offsets are code points, converted only to draw (offsets.js).
 */

import { api, ApiError } from "./api.js";
import { makeOffsetIndex } from "./offsets.js";
import { safeColour } from "./palette.js";
import { TextView } from "./render.js";

const $ = (id) => document.getElementById(id);
const app = $("review-app");
const articleId = app.dataset.article;
const slug = app.dataset.project;
const CANDIDATE = "?"; // prefix of a label key drawn as a candidate (grey), not gold
const CANDIDATE_COLOUR = "#9e9e9e";

const state = { labels: new Map(), groups: [], annotators: [], current: 0, view: null, index: null };

const keyOf = (g) => `${g.start}:${g.end}:${g.label}`;
const labelName = (key) => state.labels.get(key)?.name ?? key;

function say(message, kind = "ok") {
  const status = $("review-status");
  status.textContent = message;
  status.dataset.state = kind === "error" ? "offline" : kind === "busy" ? "saving" : "";
}

function describeError(exc) {
  if (!(exc instanceof ApiError)) return "Network error: nothing was changed.";
  const body = exc.body;
  if (body && typeof body === "object") {
    return Object.entries(body)
      .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(" ") : value}`)
      .join("; ");
  }
  return `Error ${exc.status}`;
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

async function reload(keep) {
  const data = await api(`/articles/${articleId}/review/`);
  state.groups = data.groups;
  state.annotators = data.annotators;
  $("curation-status").value = data.curation.status;
  const found = keep ? state.groups.findIndex((g) => keyOf(g) === keep) : -1;
  state.current = Math.max(0, Math.min(found >= 0 ? found : state.current, state.groups.length - 1));
  render();
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
  renderList();
}

function button(text, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.tabIndex = -1; // the list item is the tab stop; a/r/e act on it
  b.addEventListener("click", onClick);
  return b;
}

function renderList() {
  const list = $("groups");
  const hadFocus = list.contains(document.activeElement);
  const total = state.annotators.length;
  const inGold = state.groups.filter((g) => g.gold).length;
  $("group-count").textContent = `${state.groups.length} candidates, ${inGold} in gold, ${total} annotators`;
  const items = state.groups.map((g, i) => {
    const li = document.createElement("li");
    li.className = "group";
    li.classList.toggle("current", i === state.current);
    li.classList.toggle("in-gold", Boolean(g.gold));
    li.classList.toggle("rejected", g.rejected && !g.gold);
    li.tabIndex = 0;
    li.dataset.key = keyOf(g);
    li.setAttribute("aria-current", i === state.current ? "true" : "false");
    const head = document.createElement("div");
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.background = safeColour(state.labels.get(g.label)?.colour);
    const name = document.createElement("strong");
    name.textContent = ` ${labelName(g.label)} `;
    const quote = document.createElement("q");
    quote.textContent = g.text;
    head.append(chip, name, quote);
    if (g.gold || g.rejected) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = g.gold ? "gold" : "rejected";
      head.append(" ", badge);
    }
    const who = document.createElement("div");
    who.className = "who";
    const names = g.annotators.map((a) => a.username).join(", ");
    who.textContent = `${g.count} of ${total} annotators${names ? `: ${names}` : ""} · [${g.start}, ${g.end})`;
    const row = document.createElement("div");
    row.className = "row";
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
    li.append(head, who, row);
    li.addEventListener("focus", () => select(i, false));
    return li;
  });
  list.replaceChildren(...items);
  if (hadFocus) items[state.current]?.focus(); // a rebuilt list must not drop the keyboard focus
}

/** Make group i current; `focus` moves the keyboard focus to its list item. */
function select(i, focus = true) {
  if (i < 0 || i >= state.groups.length) return;
  const changed = i !== state.current;
  state.current = i;
  if (changed) render();
  const li = $("groups").children[i];
  if (focus && li && document.activeElement !== li) li.focus();
  const g = current();
  const el = g && state.view.elementsOf(keyOf(g))[0];
  el?.scrollIntoView({ block: "nearest" });
}

function candidate(g) {
  return { start: g.start, end: g.end, label: g.label };
}

function accept(g = current(), done = "Accepted into gold") {
  if (!g) return;
  act(
    "Accepting...",
    () => api(`/articles/${articleId}/review/accept/`, { method: "POST", body: candidate(g) }),
    () => `${done}: ${labelName(g.label)} “${g.text}”`,
    keyOf(g),
  );
}

function reject() {
  const g = current();
  if (!g) return;
  act(
    "Rejecting...",
    () => api(`/articles/${articleId}/review/reject/`, { method: "POST", body: candidate(g) }),
    (r) => `Rejected${r.removed_from_gold ? " and removed from gold" : ""}: “${g.text}”`,
    keyOf(g),
  );
}

function openEditor() {
  const g = current();
  if (!g) return;
  $("edit-start").value = g.start;
  $("edit-end").value = g.end;
  $("edit-label").value = g.label;
  previewEdit();
  $("edit-form").hidden = false;
  $("edit-start").focus();
}

function previewEdit() {
  const start = Number($("edit-start").value);
  const end = Number($("edit-end").value);
  const ok = Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= state.index.length;
  $("edit-text").textContent = ok ? state.index.slice(start, end) : "(offsets outside the text)";
}

function submitEdit(event) {
  event.preventDefault();
  const edited = {
    start: Number($("edit-start").value),
    end: Number($("edit-end").value),
    label: $("edit-label").value,
  };
  $("edit-form").hidden = true;
  accept({ ...edited, text: $("edit-text").textContent }, "Accepted edited span");
}

function autoAccept(wholeProject) {
  const k = Number($("auto-k").value);
  const body = wholeProject ? { k } : { k, article_ids: [Number(articleId)] };
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
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest?.("input, select, textarea, form")) return;
  const inList = event.target.closest?.("#groups");
  switch (event.key) {
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
    case "Tab":
      // Inside the list Tab steps through the candidates; at either end it leaves the list.
      if (!inList) return;
      if (event.shiftKey ? state.current === 0 : state.current === state.groups.length - 1) return;
      select(state.current + (event.shiftKey ? -1 : 1));
      break;
    default:
      return;
  }
  event.preventDefault();
}

function onTextClick(event) {
  const ids = state.view.spansAt(event.target);
  if (!ids.length) return;
  // Clicking the same place again cycles through the groups that cover it.
  const keys = state.groups.map(keyOf);
  const at = ids.indexOf(keyOf(current() ?? {}));
  select(keys.indexOf(ids[(at + 1) % ids.length]));
}

async function main() {
  try {
    const [article, project] = await Promise.all([api(`/articles/${articleId}/`), api(`/projects/${slug}/`)]);
    for (const label of project.labels) state.labels.set(label.key, label);
    const options = project.labels
      .filter((l) => !l.retired)
      .map((l) => Object.assign(document.createElement("option"), { value: l.key, textContent: l.name }));
    $("edit-label").replaceChildren(...options);
    state.index = makeOffsetIndex(article.text);
    state.view = new TextView($("text"), state.index, {
      colourOf: (key) =>
        key.startsWith(CANDIDATE) ? CANDIDATE_COLOUR : safeColour(state.labels.get(key)?.colour),
      images: article.images ?? [],
    });
    await reload();
    say("Ready");
  } catch (exc) {
    say(`Could not load the article: ${describeError(exc)}`, "error");
    return;
  }
  document.addEventListener("keydown", onKey);
  $("text").addEventListener("click", onTextClick);
  $("auto-article").addEventListener("click", () => autoAccept(false));
  $("auto-project").addEventListener("click", () => autoAccept(true));
  $("curation-status").addEventListener("change", setStatus);
  $("edit-form").addEventListener("submit", submitEdit);
  $("edit-form").addEventListener("input", previewEdit);
  $("edit-cancel").addEventListener("click", () => {
    $("edit-form").hidden = true;
  });
  app.dataset.ready = "true";
}

main();
