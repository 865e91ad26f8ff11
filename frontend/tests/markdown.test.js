import { test } from "node:test";
import assert from "node:assert/strict";

import { parseInline, parseMarkdown } from "../src/markdown.js";

const text = (t) => ({ type: "text", text: t });

test("headings, paragraphs, rules and fenced code", () => {
  const blocks = parseMarkdown("# Title\n\nFirst line\nsecond line\n\n---\n\n```\n<b>as is</b>\n```\n");
  assert.deepEqual(blocks, [
    { type: "heading", level: 1, children: [text("Title")] },
    { type: "paragraph", children: [text("First line second line")] },
    { type: "rule" },
    { type: "code", text: "<b>as is</b>" },
  ]);
});

test("emphasis, code, links, and HTML kept as text", () => {
  assert.deepEqual(parseInline("**Mark** the *exact* `words`"), [
    { type: "strong", children: [text("Mark")] },
    text(" the "),
    { type: "em", children: [text("exact")] },
    text(" "),
    { type: "code", text: "words" },
  ]);
  assert.deepEqual(parseInline("see [the paper](https://example.org/p) or <mailto:a@b.c>"), [
    text("see "),
    { type: "link", href: "https://example.org/p", children: [text("the paper")] },
    text(" or "),
    { type: "link", href: "mailto:a@b.c", children: [text("mailto:a@b.c")] },
  ]);
  assert.deepEqual(parseInline("<script>alert(1)</script> 2 * 3 * 4"), [text("<script>alert(1)</script> 2 * 3 * 4")]);
  assert.deepEqual(parseInline("\\*not em\\*"), [text("*not em*")]);
});

test("links other than http(s), mailto and the site's own stay text", () => {
  for (const href of ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil.example/"]) {
    const [node] = parseInline(`[click](${href})`);
    assert.equal(node.type, "text", href);
  }
  assert.equal(parseInline("[ok](/projects/x/)")[0].type, "link");
  assert.equal(parseInline("[ok](#keys)")[0].type, "link");
});

test("lists, nested lists, ordered lists and quotes", () => {
  const blocks = parseMarkdown("- **Manipulation edits**: text\n  continued\n- second\n  1. inner\n  2. more\n\n3. three\n4. four\n\n> quoted\n> text");
  assert.equal(blocks.length, 3);
  const [list, ordered, quote] = blocks;
  assert.equal(list.type, "list");
  assert.equal(list.ordered, false);
  assert.equal(list.items.length, 2);
  assert.deepEqual(list.items[0], [
    { type: "paragraph", children: [{ type: "strong", children: [text("Manipulation edits")] }, text(": text continued")] },
  ]);
  const [para, inner] = list.items[1];
  assert.deepEqual(para, { type: "paragraph", children: [text("second")] });
  assert.equal(inner.ordered, true);
  assert.equal(inner.items.length, 2);
  assert.deepEqual({ ordered: ordered.ordered, start: ordered.start, n: ordered.items.length }, { ordered: true, start: 3, n: 2 });
  assert.deepEqual(quote, { type: "quote", children: [{ type: "paragraph", children: [text("quoted text")] }] });
});

test("the demo's guidelines parse as a paragraph and a two-item list", () => {
  const guidelines = "Mark the exact words.\n\n- **Manipulation edits**: inserted text.\n- **SemEval-2020 techniques**: one label per technique.\n\nUse the keys.\n";
  assert.deepEqual(parseMarkdown(guidelines).map((b) => b.type), ["paragraph", "list", "paragraph"]);
});
