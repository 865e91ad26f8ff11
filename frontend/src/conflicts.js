/**
 * Conflicts (409: the span changed elsewhere, or the text differs), refused changes and other
 * errors, as banners above the text. Spans are described by their label's name with their
 * text bidi-isolated (an Arabic phrase next to its offsets would reorder them otherwise).
 *
 * - A conflict shows both versions, the annotator's and the server's, until one is chosen;
 *   neither is dropped before that.
 * - A refused change (the server answered 400: an identical span, an overlap the project does
 *   not allow) is rolled back on the page at once, so the page shows what the server has, and
 *   the banner says what was refused and why.
 * Both count as decisions waiting (hooks.waiting) until dismissed or chosen, so the save status
 * never says "Saved" while one is shown.
 */

import { api } from "./api.js";
import { bdi, el } from "./dom.js";
import { newClientId } from "./queue.js";
import { humanizeDetail, offsetsText } from "./text.js";

/** "Loaded Language “text” [12, 40), note: …" as nodes, or "deleted". */
export function describe(span, labels) {
  const out = document.createDocumentFragment();
  if (!span) {
    out.append("deleted");
    return out;
  }
  const name = labels?.get(span.label)?.name ?? span.label;
  out.append(`${name} “`, bdi(span.text), `” ${offsetsText(span)}`);
  if (span.note) out.append(", note: ", bdi(span.note));
  return out;
}

function banner(title, lines, buttons, onClose) {
  const box = el("div", "conflict");
  box.setAttribute("role", "alert");
  box.append(el("strong", null, title));
  for (const line of lines) {
    const p = el("p");
    p.append(line);
    box.append(p);
  }
  const row = el("div", "row");
  for (const [text, action] of buttons) {
    const button = el("button", null, text);
    button.type = "button";
    button.addEventListener("click", () => {
      action();
      box.remove();
      onClose?.();
    });
    row.append(button);
  }
  box.append(row);
  document.getElementById("conflicts").append(box);
  return box;
}

async function serverCopy(hooks, local) {
  const spans = await api(`/articles/${hooks.articleId}/spans/`);
  return spans.find((s) => (local.id !== undefined && s.id === local.id) || s.client_id === local.client_id);
}

/** queue.js onConflict: fetch the server's span and let the annotator choose. */
export async function showConflict({ local, detail }, hooks) {
  const cid = local.client_id;
  hooks.forget(cid);
  hooks.waiting(+1);
  const mine = hooks.spans.get(cid) ?? null;
  let server;
  try {
    server = await serverCopy(hooks, { ...local, id: mine?.id ?? local.id });
  } catch {
    server = undefined;
  }
  const yours = document.createDocumentFragment();
  yours.append("Yours: ", describe(mine, hooks.labels));
  const theirs = document.createDocumentFragment();
  theirs.append("On the server: ", describe(server, hooks.labels));
  banner(
    "This span changed elsewhere (conflict)",
    [yours, theirs, humanizeDetail(detail, hooks.labels)].filter(Boolean),
    [
      [
        "Keep mine",
        () => {
          if (server && mine) {
            const { label, start, end, text, note } = mine;
            hooks.enqueue({ op: "update", client_id: cid, id: server.id, version: server.version, label, start, end, text, note });
          } else if (server) {
            hooks.enqueue({ op: "delete", client_id: cid, id: server.id, version: server.version });
          } else if (mine) {
            // Deleted on the server: save yours as a new span.
            const fresh = newClientId();
            hooks.spans.delete(cid);
            const { label, start, end, text, note } = mine;
            hooks.commit([{ op: "create", client_id: fresh, label, start, end, text, note }]);
          }
        },
      ],
      ["Keep the server's", () => hooks.setServerCopy(cid, server)],
    ],
    () => hooks.waiting(-1),
  );
}

/** queue.js onError: the server refused the change; the page goes back to the server's span. */
export function showRefusal({ local, ops, detail }, hooks) {
  const cid = local.client_id;
  const shown = hooks.spans.get(cid); // what the page showed, the refused change included
  hooks.forget(cid);
  hooks.rollback(cid);
  hooks.waiting(+1);
  const first = ops[0]?.op ?? local.op;
  const verb = { create: "Not added", update: "Not changed", delete: "Not deleted" }[first];
  const what = document.createDocumentFragment();
  what.append(`${verb ?? "Not saved"}: `, describe(shown ?? hooks.spans.get(cid), hooks.labels));
  banner(
    "The server refused a change; the page shows what it has",
    [what, humanizeDetail(detail, hooks.labels)].filter(Boolean),
    [["Dismiss", () => {}]],
    () => hooks.waiting(-1),
  );
}

/** Other failures (finishing an article, loading offline): say what happened. */
export function showError({ detail, title }, hooks) {
  banner(title ?? "Something went wrong", [humanizeDetail(detail, hooks.labels)].filter(Boolean), [["Dismiss", () => {}]]);
}
