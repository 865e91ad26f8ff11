/**
 * The REST API as the page uses it: JSON in and out, the session cookie plus the CSRF token
 * from the page's <meta name="csrf-token">, and the save queue's sendBatch (queue.js) on top of
 * POST /api/v1/articles/<id>/spans/sync/.
 */

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${typeof body === "string" ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** fetch() a JSON endpoint; rejects with ApiError on a non-2xx answer, TypeError offline. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(BASE + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const OP_FIELDS = ["op", "id", "client_id", "version", "label", "start", "end", "note", "text", "origin", "origin_model"];

function wire(op) {
  return Object.fromEntries(OP_FIELDS.filter((k) => op[k] !== undefined).map((k) => [k, op[k]]));
}

/**
 * sendBatch for SaveQueue: operations carry `article`; each article's operations go in one sync
 * request (all or nothing on the server). A rejected batch answers for its failing operation
 * only, so the others are retried without it.
 */
export async function sendBatch(ops) {
  const byArticle = new Map();
  for (const op of ops) {
    if (!byArticle.has(op.article)) byArticle.set(op.article, []);
    byArticle.get(op.article).push(op);
  }
  const results = [];
  for (const [article, group] of byArticle) {
    let answer;
    try {
      answer = await api(`/articles/${article}/spans/sync/`, {
        method: "POST",
        body: { operations: group.map(wire) },
      });
    } catch (exc) {
      if (!(exc instanceof ApiError) || ![400, 404, 409].includes(exc.status)) throw exc;
      const index = exc.body?.failed_index;
      if (!Number.isInteger(index)) {
        // The whole article is gone or not ours any more: nothing of it can ever be saved.
        group.forEach((op) => results.push({ client_id: op.client_id, status: "error", detail: exc.body }));
        continue;
      }
      results.push({
        client_id: group[index].client_id,
        status: exc.status === 409 ? "conflict" : "error",
        detail: exc.body?.error ?? exc.body,
      });
      continue; // the others get no result: the queue sends them again
    }
    answer.results.forEach((result, i) =>
      results.push({ client_id: group[i].client_id, status: "ok", span: result.span }),
    );
  }
  return results;
}
