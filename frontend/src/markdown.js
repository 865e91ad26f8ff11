/**
 * Project guidelines are Markdown written by managers. This is a small Markdown reader (the
 * CommonMark blocks and inlines guidelines use: headings, paragraphs, nested lists, quotes,
 * fenced code, rules, emphasis, code, links) that is safe by construction: it parses into a
 * tree of plain objects, and toDom() builds elements from that tree with createElement and
 * text nodes only. HTML in the source stays text, and links keep only http(s), mailto and
 * same-site addresses, so nothing a manager writes can run in an annotator's page (no
 * sanitiser to trust, no innerHTML).
 *
 * Tree nodes: {type: "heading", level, children} | {type: "paragraph", children} |
 * {type: "list", ordered, start, items: [blocks[]]} | {type: "quote", children: blocks} |
 * {type: "code", text} | {type: "rule"}; inlines: {type: "text", text} | {type: "strong" |
 * "em", children} | {type: "code", text} | {type: "link", href, children} | {type: "break"}.
 */

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE = /^ {0,3}> ?/;
const BULLET = /^( {0,3})([-*+])([ \t]+|$)/;
const ORDERED = /^( {0,3})(\d{1,9})([.)])([ \t]+|$)/;
const BLANK = /^[ \t]*$/;
const SAFE_LINK = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

/** Parse Markdown source into a list of block nodes. */
export function parseMarkdown(source) {
  const lines = String(source ?? "").replace(/\r\n?/g, "\n").split("\n");
  return parseBlocks(lines);
}

function listMarker(line) {
  const bullet = BULLET.exec(line);
  if (bullet) return { ordered: false, indent: bullet[0].length, marker: bullet[2] };
  const ordered = ORDERED.exec(line);
  if (ordered) {
    return { ordered: true, indent: ordered[0].length, start: Number(ordered[2]), marker: ordered[3] };
  }
  return null;
}

function startsBlock(line) {
  return HEADING.test(line) || RULE.test(line) || FENCE.test(line) || QUOTE.test(line) || listMarker(line) !== null;
}

function parseBlocks(lines) {
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (BLANK.test(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1][0]}{${fence[1].length},}[ \\t]*$`);
      const body = [];
      i++;
      while (i < lines.length && !close.test(lines[i])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      blocks.push({ type: "code", text: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: "heading", level: heading[1].length, children: parseInline(heading[2] ?? "") });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: "rule" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) body.push(lines[i++].replace(QUOTE, ""));
      blocks.push({ type: "quote", children: parseBlocks(body) });
      continue;
    }
    const first = listMarker(line);
    if (first) {
      const list = { type: "list", ordered: first.ordered, start: first.start ?? 1, items: [] };
      while (i < lines.length) {
        const marker = listMarker(lines[i]);
        if (!marker || marker.ordered !== first.ordered || marker.marker !== first.marker) break;
        const item = [lines[i].slice(marker.indent)];
        i++;
        // The item goes on with indented lines, and with blank lines followed by indented ones.
        while (i < lines.length) {
          const next = lines[i];
          if (BLANK.test(next)) {
            if (i + 1 < lines.length && /^[ \t]{2,}\S/.test(lines[i + 1])) {
              item.push("");
              i++;
              continue;
            }
            break;
          }
          if (/^[ \t]{2,}/.test(next)) item.push(next.replace(/^[ \t]{2,4}/, ""));
          else if (!startsBlock(next)) item.push(next); // a lazy continuation of the paragraph
          else break;
          i++;
        }
        list.items.push(parseBlocks(item));
        while (i < lines.length && BLANK.test(lines[i]) && listMarker(lines[i + 1] ?? "")) i++;
      }
      blocks.push(list);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && !BLANK.test(lines[i]) && !(paragraph.length && startsBlock(lines[i]))) {
      paragraph.push(lines[i++].trim());
    }
    blocks.push({ type: "paragraph", children: parseInline(paragraph.join("\n")) });
  }
  return blocks;
}

/** Inline nodes of a paragraph's text. */
export function parseInline(text) {
  const out = [];
  let plain = "";
  const flush = () => {
    if (plain) out.push({ type: "text", text: plain });
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const rest = text.slice(i);
    if (ch === "\\" && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "\\" && text[i + 1] === "\n") {
      flush();
      out.push({ type: "break" });
      i += 2;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(rest)[0];
      const close = text.indexOf(ticks, i + ticks.length);
      if (close > 0) {
        flush();
        out.push({ type: "code", text: text.slice(i + ticks.length, close).replace(/\n/g, " ").trim() });
        i = close + ticks.length;
        continue;
      }
    }
    if (ch === "*" || ch === "_") {
      const strong = rest.startsWith(ch + ch);
      const mark = strong ? ch + ch : ch;
      const close = findClose(text, i + mark.length, mark);
      if (close > i + mark.length) {
        flush();
        out.push({ type: strong ? "strong" : "em", children: parseInline(text.slice(i + mark.length, close)) });
        i = close + mark.length;
        continue;
      }
    }
    if (ch === "[") {
      const link = /^\[((?:\\.|[^\]\\])*)\]\(\s*<?([^\s)>]*)>?(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (link) {
        flush();
        const children = parseInline(link[1]);
        out.push(SAFE_LINK.test(link[2]) ? { type: "link", href: link[2], children } : { type: "text", text: link[0] });
        i += link[0].length;
        continue;
      }
    }
    if (ch === "<") {
      const auto = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(rest);
      if (auto) {
        flush();
        out.push({ type: "link", href: auto[1], children: [{ type: "text", text: auto[1] }] });
        i += auto[0].length;
        continue;
      }
    }
    if (ch === "\n") {
      if (plain.endsWith("  ")) {
        plain = plain.replace(/ +$/, "");
        flush();
        out.push({ type: "break" });
      } else {
        plain += " ";
      }
      i++;
      continue;
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}

/** Index of the closing `mark` for emphasis opened before `from`, or -1. */
function findClose(text, from, mark) {
  if (/\s/.test(text[from] ?? " ")) return -1; // "* not emphasis"
  for (let j = from; j < text.length; j++) {
    if (text[j] === "\\") {
      j++;
      continue;
    }
    if (text[j] === "`") {
      const close = text.indexOf("`", j + 1);
      if (close > 0) j = close;
      continue;
    }
    if (text.startsWith(mark, j) && !/\s/.test(text[j - 1]) && (mark.length === 2 || text[j + 1] !== mark)) {
      return j;
    }
  }
  return -1;
}

/**
 * Build DOM nodes for parsed blocks.
 * @param {object[]} blocks  parseMarkdown's result
 * @param {Document} doc
 * @param {{headingOffset?: number}} [options]  shift heading levels (a panel's headings)
 * @returns {DocumentFragment}
 */
export function toDom(blocks, doc, { headingOffset = 0 } = {}) {
  const fragment = doc.createDocumentFragment();
  const inline = (parent, nodes) => {
    for (const node of nodes) {
      if (node.type === "text") parent.append(doc.createTextNode(node.text));
      else if (node.type === "break") parent.append(doc.createElement("br"));
      else if (node.type === "code") {
        const code = doc.createElement("code");
        code.textContent = node.text;
        parent.append(code);
      } else if (node.type === "link") {
        const a = doc.createElement("a");
        a.href = node.href;
        if (/^(https?:|mailto:)/i.test(node.href)) {
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
        inline(a, node.children);
        parent.append(a);
      } else {
        const el = doc.createElement(node.type === "strong" ? "strong" : "em");
        inline(el, node.children);
        parent.append(el);
      }
    }
  };
  const block = (parent, nodes) => {
    for (const node of nodes) {
      let el;
      if (node.type === "heading") {
        el = doc.createElement(`h${Math.min(6, node.level + headingOffset)}`);
        inline(el, node.children);
      } else if (node.type === "paragraph") {
        el = doc.createElement("p");
        inline(el, node.children);
      } else if (node.type === "list") {
        el = doc.createElement(node.ordered ? "ol" : "ul");
        if (node.ordered && node.start !== 1) el.start = node.start;
        for (const item of node.items) {
          const li = doc.createElement("li");
          // A one-paragraph item is shown without a <p> (tight list).
          if (item.length === 1 && item[0].type === "paragraph") inline(li, item[0].children);
          else block(li, item);
          el.append(li);
        }
      } else if (node.type === "quote") {
        el = doc.createElement("blockquote");
        block(el, node.children);
      } else if (node.type === "code") {
        el = doc.createElement("pre");
        const code = doc.createElement("code");
        code.textContent = node.text;
        el.append(code);
      } else {
        el = doc.createElement("hr");
      }
      parent.append(el);
    }
  };
  block(fragment, blocks);
  return fragment;
}
