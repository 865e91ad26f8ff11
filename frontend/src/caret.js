/**
 * Selecting text for a span, shared by the annotation and review pages so that both follow the
 * same rules (selection.js: whole grapheme clusters, trimmed, optionally whole words; offsets in
 * code points): the mouse's (or touch's) DOM selection, and a keyboard caret moved with the
 * arrow keys (Ctrl: by word; Shift: extending), shown as the page's own selection.
 */

export class TextSelection {
  /**
   * @param {import("./render.js").TextView} view
   * @param {ReturnType<import("./selection.js").createSelectionTools>} tools
   * @param {HTMLElement} caretEl  the caret drawn at the keyboard selection's focus
   */
  constructor(view, tools, caretEl) {
    this.view = view;
    this.tools = tools;
    this.caretEl = caretEl;
    this.kb = null; // keyboard selection {anchor, focus} in code points
  }

  /** The normalized span the page's selection means ({start, end, text}), or null. */
  current({ snapWords = false } = {}) {
    const sel = window.getSelection();
    if (sel.rangeCount > 0 && !sel.isCollapsed) {
      const u16 = this.view.utf16Range(sel.getRangeAt(0));
      if (u16) return this.tools.fromUtf16(u16[0], u16[1], { snapWords });
    }
    return null;
  }

  clear() {
    window.getSelection().removeAllRanges();
    this.forgetKeyboard();
  }

  /** The mouse took over: the keyboard selection no longer applies. */
  forgetKeyboard() {
    this.kb = null;
    this.caretEl.hidden = true;
  }

  /** ←/→ (Ctrl: by word, Shift: extend) while the text has the focus. */
  move(event) {
    const t = this.tools;
    if (!this.kb) {
      const sel = window.getSelection();
      const u16 = sel.rangeCount ? this.view.utf16Range(sel.getRangeAt(0)) : null;
      const at = u16 ? t.index.toCp(u16[1], "end") : 0;
      this.kb = { anchor: at, focus: at };
    }
    const forward = event.key === "ArrowRight";
    const pos = this.kb.focus;
    const next = event.ctrlKey
      ? forward ? t.nextWordBoundary(pos) : t.prevWordBoundary(pos)
      : forward ? t.nextGrapheme(pos) : t.prevGrapheme(pos);
    this.kb = { anchor: event.shiftKey ? this.kb.anchor : next, focus: next };
    this.show();
  }

  /** Show the keyboard selection as the page's selection, so mouse and keys share one path. */
  show() {
    const { anchor, focus } = this.kb;
    const a = this.view.point(anchor);
    const f = this.view.point(focus);
    window.getSelection().setBaseAndExtent(a.node, a.offset, f.node, f.offset);
    const rect = this.view.range(focus, focus).getBoundingClientRect();
    const caret = this.caretEl;
    caret.hidden = false;
    caret.style.left = `${rect.left + window.scrollX}px`;
    caret.style.top = `${rect.top + window.scrollY}px`;
    caret.style.height = `${Math.max(rect.height, 16)}px`;
  }
}
