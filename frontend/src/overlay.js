/**
 * The `?` overlay listing every shortcut (a modal <dialog>) and the guidelines panel (a
 * non-modal side panel with the project's guidelines, rendered and sanitised by the server),
 * shared by the annotation and review pages.
 */

import { el } from "./dom.js";

/** Fill and open the keys dialog from shortcut sections (shortcuts.js). */
export function setUpKeysDialog(dialog, sections) {
  const body = dialog.querySelector(".keys-body");
  const parts = sections.map(({ section, keys }) => {
    const box = el("section");
    box.append(el("h3", null, section));
    const table = el("dl");
    for (const [combos, what] of keys) {
      const dt = el("dt");
      combos.forEach((combo, i) => {
        if (i) dt.append(" ");
        dt.append(el("kbd", null, combo));
      });
      table.append(dt, el("dd", null, what));
    }
    box.append(table);
    return box;
  });
  body.replaceChildren(...parts);
  dialog.querySelector(".close")?.addEventListener("click", () => dialog.close());
  return {
    toggle() {
      if (dialog.open) dialog.close();
      else dialog.showModal();
    },
  };
}

/** The guidelines panel (its HTML rendered and sanitised by the server); returns
 * {toggle, close, isOpen}. */
export function setUpGuidelines(panel, opener) {
  const set = (open) => {
    panel.hidden = !open;
    opener?.setAttribute("aria-expanded", String(open));
    if (open) panel.focus();
  };
  panel.querySelector(".close")?.addEventListener("click", () => {
    set(false);
    opener?.focus();
  });
  opener?.addEventListener("click", () => set(panel.hidden));
  return {
    toggle: () => set(panel.hidden),
    close: () => set(false),
    get isOpen() {
      return !panel.hidden;
    },
  };
}
