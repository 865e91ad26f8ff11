/**
 * Every keyboard shortcut of the annotation and review pages, in one list: the `?` overlay
 * (overlay.js) shows it, so what the overlay says and what the keys do are written side by side
 * here and in the pages' key handlers. Label keys are added from the project's palette.
 */

export const ANNOTATE_SHORTCUTS = [
  {
    section: "Selecting text",
    keys: [
      [["Tab"], "focus the article text (from the page's top)"],
      [["←", "→"], "move the caret by a character"],
      [["Ctrl+←", "Ctrl+→"], "move the caret by a word"],
      [["Shift+←", "Shift+→", "Ctrl+Shift+←", "Ctrl+Shift+→"], "extend the selection"],
      [["label key"], "label the selection, or relabel the selected span"],
      [["Esc"], "clear the selection and the selected span; close a panel"],
    ],
  },
  {
    section: "Spans",
    keys: [
      [["Tab", "Shift+Tab"], "next / previous span (while the text has the focus)"],
      [["]", "["], "next / previous span"],
      [["Enter", "n"], "write the selected span's note (Esc leaves the note and saves it)"],
      [["Delete", "Backspace"], "delete the selected span"],
      [["Alt+←", "Alt+→"], "move the selected span's end"],
      [["Alt+Shift+←", "Alt+Shift+→"], "move the selected span's start"],
      [["Ctrl+Z", "u"], "undo"],
      [["Ctrl+Shift+Z", "Ctrl+Y"], "redo"],
    ],
  },
  {
    section: "Suggestions from the original",
    keys: [
      [["}", "{"], "next / previous suggestion"],
      [["y", "Enter"], "accept it as its label (a label key: as that label)"],
      [["x"], "dismiss it"],
    ],
  },
  {
    section: "Recommendations",
    keys: [
      [[".", ","], "next / previous recommendation"],
      [["y", "Enter"], "accept it as its label (a label key: as that label)"],
      [["x"], "reject it (never proposed again for this article)"],
      [["Esc"], "let it go"],
    ],
  },
  {
    section: "Article",
    keys: [
      [["d"], "Done (undo within 4 seconds: Esc or Ctrl+Z; Enter: at once)"],
      [["s"], "Skip (the same)"],
      [["G"], "open or close the guidelines (Shift+G)"],
      [["L"], "show or hide the labels on a narrow screen (Shift+L)"],
      [["?"], "this list"],
    ],
  },
];

export const REVIEW_SHORTCUTS = [
  {
    section: "Candidates",
    keys: [
      [["↓", "↑"], "next / previous candidate"],
      [["Tab", "Shift+Tab"], "next / previous candidate (inside the list)"],
      [["a"], "accept the candidate into gold"],
      [["r"], "reject it"],
      [["e"], "edit it in place, then accept (Esc: cancel)"],
    ],
  },
  {
    section: "Gold spans of your own",
    keys: [
      [["Tab"], "focus the article text"],
      [["Shift+←", "Shift+→", "Ctrl+Shift+←", "Ctrl+Shift+→"], "select text (or use the mouse)"],
      [["label key"], "with text selected: add it to gold with that label"],
      [["Esc"], "clear the selection"],
    ],
  },
  {
    section: "Page",
    keys: [
      [["G"], "open or close the guidelines (Shift+G)"],
      [["?"], "this list"],
    ],
  },
];

/** The label keys as a section of the list. */
export function labelSection(labels) {
  const keys = labels
    .filter((l) => l.hotkey && !l.retired)
    .sort((a, b) => a.order - b.order)
    .map((l) => [[l.hotkey], l.name]);
  return { section: "Label keys", keys };
}

/**
 * The keys both pages share: `?` toggles the key map, Shift+G the guidelines (`panels` has
 * `keys` and `guidelines`, each with `toggle()`). Returns whether the key was one of them.
 */
export function onPanelKey(event, panels) {
  const panel = event.key === "?" ? panels.keys : event.shiftKey && event.key === "G" ? panels.guidelines : null;
  if (!panel) return false;
  event.preventDefault();
  panel.toggle();
  return true;
}
