/**
 * Conflicts (409: the span changed elsewhere, or the text differs) and refused changes. The
 * server's version and the annotator's are both shown until the annotator picks one; neither is
 * dropped before that.
 */

import { api } from "./api.js";
import { newClientId } from "./queue.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function describe(span) {
  return span ? `${span.label} “${span.text}” (${span.start}–${span.end})${span.note ? `, note: ${span.note}` : ""}` : "deleted";
}

function detailText(detail) {
  if (!detail) return "";
  if (typeof detail === "string") return detail;
  return Object.values(detail)
    .flat()
    .filter((v) => typeof v === "string")
    .join(" ");
}

function banner(title, lines, buttons) {
  const box = el("div", "conflict");
  box.setAttribute("role", "alert");
  box.append(el("strong", null, title));
  for (const line of lines) box.append(el("p", null, line));
  const row = el("div", "row");
  for (const [text, action] of buttons) {
    const button = el("button", null, text);
    button.type = "button";
    button.addEventListener("click", () => {
      action();
      box.remove();
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
  const mine = hooks.spans.get(cid) ?? null;
  let server;
  try {
    server = await serverCopy(hooks, { ...local, id: mine?.id ?? local.id });
  } catch {
    server = undefined;
  }
  banner(
    "This span changed elsewhere (conflict)",
    [`Yours: ${describe(mine)}`, `On the server: ${describe(server)}`, detailText(detail)],
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
  );
}

/** queue.js onError (and other failures): say what was refused; reloading shows the server's. */
export function showError({ local, detail, title }, hooks) {
  if (local) hooks.forget(local.client_id);
  banner(
    title ?? (local ? "A change was refused by the server" : "Something went wrong"),
    [local ? `Change: ${describe(local)}` : "", detailText(detail)].filter(Boolean),
    [["Dismiss", () => {}]],
  );
}
