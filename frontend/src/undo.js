/**
 * Undo/redo of span edits (Ctrl+Z / Ctrl+Shift+Z). The page records what the annotator did;
 * undo() and redo() return the save-queue operations (see queue.js) that revert or repeat it,
 * which the page applies to its spans and enqueues like any other edit.
 *
 * An action is one of
 *   {type: "create", span}                       span: the created span (client_id + fields)
 *   {type: "delete", span}                       span: the span as it was before deletion
 *   {type: "update", client_id, before, after}   before/after: the changed fields only
 * and one step may group several actions (deleting three spans at once is undone at once).
 *
 * Undoing a delete re-creates the span under a new client id (the old one may already be
 * deleted on the server, and a create is idempotent on its client id); every recorded step that
 * names the old id is rewritten, so redo and further undos address the re-created span.
 * Operations carry the span's current version when a versionOf(client_id) callback is given.
 */

import { fieldsOf, newClientId } from "./queue.js";

function checkAction(a) {
  const ok =
    (a?.type === "create" || a?.type === "delete"
      ? typeof a.span?.client_id === "string"
      : a?.type === "update" && typeof a.client_id === "string" && a.before && a.after);
  if (!ok) throw new TypeError(`not an undoable action: ${JSON.stringify(a)}`);
}

function clientIdOf(action) {
  return action.type === "update" ? action.client_id : action.span.client_id;
}

export class UndoStack {
  /**
   * @param {{limit?: number, newClientId?: () => string,
   *   versionOf?: (clientId: string) => number | undefined}} [options]
   */
  constructor(options = {}) {
    this.limit = options.limit ?? 500;
    this.newClientId = options.newClientId ?? (() => newClientId());
    this.versionOf = options.versionOf ?? (() => undefined);
    /** @type {object[][]} steps, oldest first */
    this.done = [];
    this.undone = [];
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /** Record one step (an action or a list of actions); a new step clears the redo history. */
  record(actionOrActions) {
    const step = (Array.isArray(actionOrActions) ? actionOrActions : [actionOrActions]).map(
      (a) => {
        checkAction(a);
        return structuredClone(a);
      },
    );
    if (step.length === 0) return;
    this.done.push(step);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  /** Operations reverting the last step (latest action first), or null when none. */
  undo() {
    const step = this.done.pop();
    if (!step) return null;
    this.undone.push(step); // before reverting, so a re-keyed span is renamed in this step too
    return [...step].reverse().map((action) => this.revert(action));
  }

  /** Operations repeating the last undone step, or null when none. */
  redo() {
    const step = this.undone.pop();
    if (!step) return null;
    this.done.push(step);
    return step.map((action) => this.repeat(action));
  }

  revert(action) {
    switch (action.type) {
      case "create":
        return this.withVersion({ op: "delete", client_id: action.span.client_id });
      case "delete":
        return this.recreate(action);
      default:
        return this.withVersion({ ...action.before, op: "update", client_id: action.client_id });
    }
  }

  repeat(action) {
    switch (action.type) {
      case "create":
        return this.recreate(action);
      case "delete":
        return this.withVersion({ op: "delete", client_id: action.span.client_id });
      default:
        return this.withVersion({ ...action.after, op: "update", client_id: action.client_id });
    }
  }

  /** A create op for the action's span under a fresh client id, renaming it everywhere. */
  recreate(action) {
    const fresh = this.newClientId();
    this.rename(action.span.client_id, fresh);
    return { ...fieldsOf(action.span), op: "create", client_id: fresh };
  }

  rename(oldId, newId) {
    for (const step of [...this.done, ...this.undone]) {
      for (const action of step) {
        if (action.type === "update") {
          if (action.client_id === oldId) action.client_id = newId;
        } else if (action.span.client_id === oldId) {
          action.span.client_id = newId;
        }
      }
    }
  }

  withVersion(op) {
    const version = this.versionOf(op.client_id);
    return version === undefined ? op : { ...op, version };
  }

  /** Drop every step touching a span (e.g. after a conflict the server's version won). */
  forget(clientId) {
    const keep = (step) => !step.some((a) => clientIdOf(a) === clientId);
    this.done = this.done.filter(keep);
    this.undone = this.undone.filter(keep);
  }

  clear() {
    this.done = [];
    this.undone = [];
  }
}
