/** Small DOM builders the pages share. Text always goes in as text nodes, never as HTML. */

/** An element with a class and text (both optional). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** User text (an article's words, a name, a note), bidi-isolated from what surrounds it. */
export function bdi(text, className) {
  return el("bdi", className, text ?? "");
}

/** A colour chip for a label. */
export function chip(colour) {
  const node = el("span", "chip");
  node.style.backgroundColor = colour;
  node.setAttribute("aria-hidden", "true");
  return node;
}

/** A table's <thead>: one row of column headers named `names`. */
export function tableHead(names) {
  const row = el("tr");
  for (const name of names) {
    const th = el("th", null, name);
    th.scope = "col";
    row.append(th);
  }
  const thead = el("thead");
  thead.append(row);
  return thead;
}

/** An element with optional class, text and attributes, and its children: for the pages that
 * build rows and lists with links and buttons in them. */
export function element(tag, { className, text, attrs } = {}, children = []) {
  const node = el(tag, className, text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
