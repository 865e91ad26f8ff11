import { test, describe, beforeEach } from "node:test";
import assert from "node:assert/strict";

import { ApiError, sendBatch } from "../src/api.js";

// A fetch stand-in that records requests and answers from a list.
let requests;
let answers;

beforeEach(() => {
  requests = [];
  answers = [];
  globalThis.document = { querySelector: () => ({ content: "csrf-123" }) };
  globalThis.fetch = async (url, init) => {
    requests.push({ url, init, body: init.body ? JSON.parse(init.body) : undefined });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return { ok: next.status < 300, status: next.status, text: async () => JSON.stringify(next.body) };
  };
});

const span = (id, extra = {}) => ({ id, version: 1, label: "x", start: 0, end: 1, text: "a", ...extra });

describe("sendBatch", () => {
  test("one sync request per article, in order, without the article field", async () => {
    answers.push(
      { status: 200, body: { results: [{ status: 201, span: span(1) }, { status: 204 }] } },
      { status: 200, body: { results: [{ status: 201, span: span(2) }] } },
    );
    const ops = [
      { op: "create", client_id: "a", article: 7, label: "x", start: 0, end: 1, text: "a" },
      { op: "create", client_id: "b", article: 8, label: "x", start: 0, end: 1, text: "a" },
      { op: "delete", client_id: "c", article: 7, id: 5, version: 2 },
    ];
    const results = await sendBatch(ops);
    assert.deepEqual(
      requests.map((r) => r.url),
      ["/api/v1/articles/7/spans/sync/", "/api/v1/articles/8/spans/sync/"],
    );
    assert.equal(requests[0].init.headers["X-CSRFToken"], "csrf-123");
    assert.deepEqual(requests[0].body.operations, [
      { op: "create", client_id: "a", label: "x", start: 0, end: 1, text: "a" },
      { op: "delete", id: 5, client_id: "c", version: 2 },
    ]);
    assert.deepEqual(
      results.map((r) => [r.client_id, r.status, r.span?.id]),
      [["a", "ok", 1], ["c", "ok", undefined], ["b", "ok", 2]],
    );
  });

  test("a 409 answers for the failing operation only: the others are retried", async () => {
    answers.push({
      status: 409,
      body: { detail: "Operation 1 failed", failed_index: 1, error: { version: ["stale"] }, results: [] },
    });
    const ops = [
      { op: "create", client_id: "a", article: 7, label: "x", start: 0, end: 1, text: "a" },
      { op: "update", client_id: "b", article: 7, id: 3, version: 1, label: "y" },
    ];
    const results = await sendBatch(ops);
    assert.deepEqual(results, [{ client_id: "b", status: "conflict", detail: { version: ["stale"] } }]);
  });

  test("a 400 is an error for that operation; a 404 without index fails the article's ops", async () => {
    answers.push(
      { status: 400, body: { failed_index: 0, error: { label: ["unknown"] } } },
      { status: 404, body: { detail: "No such article" } },
    );
    const results = await sendBatch([
      { op: "create", client_id: "a", article: 7, label: "zz", start: 0, end: 1 },
      { op: "create", client_id: "b", article: 9, label: "x", start: 0, end: 1 },
    ]);
    assert.deepEqual(results.map((r) => [r.client_id, r.status]), [["a", "error"], ["b", "error"]]);
  });

  test("network failures and server errors reject, so the queue backs off", async () => {
    answers.push(new TypeError("Failed to fetch"));
    await assert.rejects(sendBatch([{ op: "delete", client_id: "a", article: 7 }]), TypeError);
    answers.push({ status: 503, body: "busy" });
    await assert.rejects(sendBatch([{ op: "delete", client_id: "a", article: 7 }]), ApiError);
    answers.push({ status: 403, body: { detail: "CSRF" } });
    await assert.rejects(sendBatch([{ op: "delete", client_id: "a", article: 7 }]), ApiError);
  });
});
