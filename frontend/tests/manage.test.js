import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { errorMessages, fillTemplate, formBody, setPath } from "../src/manage/forms.js";
import { moved } from "../src/manage/order.js";
import { fileReportLines, isPending, jobStateText, layerText } from "../src/manage/report.js";
import { humanSize } from "../src/bytes.js";

/** A stand-in for a form: its elements, each a plain object with the properties read. */
function fakeForm(fields) {
  const elements = fields.map((f) => ({ type: "text", disabled: false, dataset: {}, value: "", ...f }));
  elements.namedItem = (name) => {
    const named = elements.filter((e) => e.name === name);
    return named.length > 1 ? Object.assign(named, { item: (i) => named[i] }) : named[0];
  };
  return { elements };
}

describe("formBody", () => {
  test("types, nesting, lists, radios, skipped and disabled fields", async () => {
    const form = fakeForm([
      { name: "name", value: "Election watch" },
      { name: "annotators_per_article", value: "3", dataset: { type: "int" } },
      { name: "allow_overlap", type: "checkbox", checked: false },
      { name: "schema.presets", type: "checkbox", value: "semeval2020", checked: true, dataset: { type: "list" } },
      { name: "schema.presets", type: "checkbox", value: "ptc18", checked: false, dataset: { type: "list" } },
      { name: "schema.presets", type: "checkbox", value: "manipulation", checked: true, dataset: { type: "list" } },
      { name: "source", type: "radio", value: "presets", checked: true, dataset: { skip: "" } },
      { name: "schema.copy_from", value: "news", disabled: true },
      { name: "slug", value: "", dataset: { omitEmpty: "" } },
      { name: "per_article", value: "  ", dataset: { type: "int" } },
      { type: "submit", name: "go" },
    ]);
    assert.deepEqual(await formBody(form), {
      name: "Election watch",
      annotators_per_article: 3,
      allow_overlap: false,
      schema: { presets: ["semeval2020", "manipulation"] },
    });
  });

  test("an unticked list is sent empty (the server says what is missing)", async () => {
    const form = fakeForm([{ name: "annotators", type: "checkbox", value: "a", checked: false, dataset: { type: "list" } }]);
    assert.deepEqual(await formBody(form), { annotators: [] });
  });

  test("a JSON file is parsed, a broken one names the field", async () => {
    const file = (text) => ({ name: "s.json", text: async () => text });
    const ok = fakeForm([{ name: "schema.schema_file", type: "file", files: [file('{"labels": []}')], dataset: { type: "json-file" } }]);
    assert.deepEqual(await formBody(ok), { schema: { schema_file: { labels: [] } } });
    const bad = fakeForm([{ name: "schema.schema_file", type: "file", files: [file("{nope")], dataset: { type: "json-file" } }]);
    await assert.rejects(formBody(bad), (error) => error.field === "schema.schema_file" && /s\.json is not JSON/.test(error.message));
  });
});

describe("errors and templates", () => {
  test("API error bodies become field paths with messages", () => {
    assert.deepEqual(errorMessages({ hotkey: ["Taken."], filter: { ids: ["Tick one."] }, detail: "No." }), [
      ["hotkey", "Taken."],
      ["filter.ids", "Tick one."],
      ["", "No."],
    ]);
    assert.deepEqual(errorMessages("Server error"), [["", "Server error"]]);
    assert.deepEqual(errorMessages(null), [["", "The request failed."]]);
  });

  test("setPath nests, fillTemplate encodes", () => {
    const target = {};
    setPath(target, "a.b.c", 1);
    assert.deepEqual(target, { a: { b: { c: 1 } } });
    assert.equal(fillTemplate("/projects/{slug}/labels/", { slug: "a b" }), "/projects/a%20b/labels/");
  });
});

test("moved swaps with the neighbour and stays inside the list", () => {
  assert.deepEqual(moved(["a", "b", "c"], "b", -1), ["b", "a", "c"]);
  assert.deepEqual(moved(["a", "b", "c"], "c", 1), ["a", "b", "c"]);
  assert.deepEqual(moved(["a", "b", "c"], "a", 1), ["b", "a", "c"]);
});

test("import reports: a summary, duplicates named, every error with file and line", () => {
  const ok = fileReportLines({
    ok: true, path: "a.jsonl", articles_created: 3, spans_created: 1, images_created: 0,
    duplicates: 21, duplicate_ids: ["x", "y"], errors: [],
  });
  assert.equal(ok.length, 1);
  assert.match(ok[0].text, /a\.jsonl: 3 article\(s\), 1 span\(s\).*21 duplicate\(s\) skipped \(x, y, …\)/);
  const ptc = fileReportLines({
    ok: true, path: "d.zip", articles_created: 2, spans_created: 3, images_created: 0,
    duplicates: 0, duplicate_ids: [], errors: [],
    label_files: { 1: ["d.zip:a/article1.task2-TC.labels"], 2: ["d.zip:train-task2-TC.labels"], 3: ["d.zip:train-task2-TC.labels"] },
    notes: ["d.zip:b/article1.task1-SI.labels: 2 span-identification labels file(s) not read"],
    repeated_spans: 1, repeated_span_lines: ["d.zip:a/article1.task2-TC.labels, line 3"],
  });
  assert.deepEqual(ptc.map((l) => l.text), [
    "d.zip: 2 article(s), 3 span(s) from 2 labels file(s), 0 image(s) created; 1 repeated span line(s) stored once",
    "note: d.zip:b/article1.task1-SI.labels: 2 span-identification labels file(s) not read",
    "repeated span line, stored once: d.zip:a/article1.task2-TC.labels, line 3",
  ]);
  const failed = fileReportLines({
    ok: false, path: "b.zip", errors_truncated: false,
    errors: [{ file: "b.zip:article1.labels", line: 2, message: "unknown label" }, { file: "b.zip", line: null, message: "bad" }],
  });
  assert.deepEqual(failed.map((l) => l.text), [
    "b.zip: FAILED, nothing stored; 2 error(s)",
    "b.zip:article1.labels, line 2: unknown label",
    "b.zip: bad",
  ]);
});

describe("import jobs", () => {
  const job = (fields) => ({ status: "queued", stalled: false, message: "queued: waiting for a worker", progress: { done: 0, total: 0 }, ...fields });

  test("a running job says how far it has read its files, others what the API says", () => {
    const running = job({ status: "running", message: "running: 1/2", progress: { done: 1572864, total: 3145728 } });
    assert.equal(jobStateText(running), "importing: 50% of 3.0 MiB read");
    assert.equal(jobStateText(job({})), "queued: waiting for a worker");
    const stalled = job({ status: "running", stalled: true, message: "stalled: no heartbeat", progress: { done: 1, total: 2 } });
    assert.equal(jobStateText(stalled), "stalled: no heartbeat");
    assert.equal(jobStateText(job({ status: "done", message: "done: 4 article(s)" })), "done: 4 article(s)");
  });

  test("pending while queued or running; layers in words", () => {
    assert.deepEqual(["queued", "running", "done", "failed"].map((status) => isPending(job({ status }))), [true, true, false, false]);
    assert.equal(layerText({ layer: "uploader", annotator: "pm" }, "pm"), "your layer");
    assert.equal(layerText({ layer: "annotator", annotator: "ann_a" }, "pm"), "ann_a's layer");
    assert.equal(layerText({ layer: "gold", annotator: null }, "pm"), "the gold layer");
  });

  test("sizes in powers of 1024", () => {
    assert.deepEqual([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(humanSize), ["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 GiB"]);
    assert.equal(humanSize(null), "");
  });
});
