/** The span list beside the text: position order, a label filter, click to go to a span. */

import { safeColour } from "./palette.js";

const EXCERPT = 80;

export function byPosition(a, b) {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/**
 * @param {HTMLOListElement} root
 * @param {{spans: object[], labels: Map<string, object>, filter: string, selected: string | null,
 *   onPick: (clientId: string) => void}} state
 */
export function renderSpanList(root, { spans, labels, filter, selected, onPick }) {
  const fragment = document.createDocumentFragment();
  let shown = 0;
  for (const span of spans) {
    if (filter && span.label !== filter) continue;
    shown++;
    const label = labels.get(span.label);
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = span.client_id === selected ? "span-item sel" : "span-item";
    button.dataset.clientId = span.client_id;
    button.setAttribute("aria-pressed", String(span.client_id === selected));
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.backgroundColor = safeColour(label?.colour);
    const name = document.createElement("span");
    name.className = "span-label";
    name.textContent = label?.name ?? span.label;
    const text = document.createElement("span");
    text.className = "span-text";
    text.textContent = span.text.length > EXCERPT ? `${span.text.slice(0, EXCERPT)}…` : span.text;
    button.append(chip, name, text);
    if (span.note) {
      const note = document.createElement("span");
      note.className = "span-note";
      note.textContent = `Note: ${span.note}`;
      button.append(note);
    }
    button.addEventListener("click", () => onPick(span.client_id));
    li.append(button);
    fragment.append(li);
  }
  root.replaceChildren(fragment);
  return shown;
}
