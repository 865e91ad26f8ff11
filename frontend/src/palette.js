/**
 * The label palette: labels grouped by category, each a button with its colour, hotkey and a
 * tooltip (description and example) shown on hover and on keyboard focus; and the legend of the
 * labels in use above the text.
 */

import { chip, el } from "./dom.js";

const HEX = /^#[0-9a-f]{6}$/i;

/** A #rrggbb colour for a label (the API's colour, or grey when it is not one). */
export function safeColour(colour) {
  return HEX.test(colour ?? "") ? colour : "#888888";
}

/**
 * @param {HTMLElement} root
 * @param {object[]} labels  the project's labels (key, name, colour, hotkey, category, ...)
 * @param {(key: string) => void} onPick
 */
export function renderPalette(root, labels, onPick) {
  const live = labels.filter((l) => !l.retired).sort((a, b) => a.order - b.order);
  const groups = new Map();
  for (const label of live) {
    const category = label.category || "Labels";
    if (!groups.has(category)) groups.set(category, []);
    groups.get(category).push(label);
  }
  const fragment = document.createDocumentFragment();
  for (const [category, items] of groups) {
    const section = el("div", "label-group");
    section.append(el("h2", null, category));
    const list = el("ul");
    for (const label of items) {
      const li = el("li");
      const button = el("button", "label-button");
      button.type = "button";
      button.dataset.label = label.key;
      const tipId = `tip-${label.key}`;
      button.setAttribute("aria-describedby", tipId);
      const key = el("kbd", "hotkey", label.hotkey || "");
      if (!label.hotkey) key.hidden = true;
      button.append(chip(safeColour(label.colour)), el("span", "name", label.name), key);
      // Keep the text selection: the button acts on it.
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => onPick(label.key));
      const tip = el("div", "tooltip");
      tip.id = tipId;
      tip.setAttribute("role", "tooltip");
      tip.append(el("p", null, label.description || "No description."));
      if (label.example) tip.append(el("p", "example", `Example: ${label.example}`));
      li.append(button, tip);
      list.append(li);
    }
    section.append(list);
    fragment.append(section);
  }
  root.replaceChildren(fragment);
  return new Map(live.filter((l) => l.hotkey).map((l) => [l.hotkey.toLowerCase(), l.key]));
}

/**
 * The legend: one button per label in use (legend.js labelsInUse) with its count; a click
 * filters the span list by that label (again: all labels).
 * @param {HTMLElement} root  a <ul>
 * @param {{key: string, name: string, colour?: string, count: number}[]} items
 * @param {string} filter  the label key the list shows, or ""
 * @param {(key: string) => void} onFilter
 */
export function renderLegend(root, items, filter, onFilter) {
  const lis = items.map((item) => {
    const li = el("li");
    const button = el("button", "legend-item");
    button.type = "button";
    button.dataset.label = item.key;
    button.setAttribute("aria-pressed", String(filter === item.key));
    button.title = filter === item.key ? "Show every label in the list" : "Show only these spans in the list";
    button.append(chip(safeColour(item.colour)), el("span", null, item.name), el("span", "count", String(item.count)));
    button.addEventListener("click", () => onFilter(filter === item.key ? "" : item.key));
    li.append(button);
    return li;
  });
  root.replaceChildren(...lis);
  root.hidden = lis.length === 0;
}
