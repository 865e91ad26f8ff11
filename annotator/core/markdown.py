"""Markdown to safe HTML, for project guidelines (the manager's preview, the annotation page).

Guidelines are written by managers but read by everyone in the project, so the HTML is
untrusted twice over: markdown-it-py renders CommonMark (plus tables and strikethrough) with raw
HTML turned off, so ``<script>`` in the source shows as text, and nh3 (the ammonia sanitiser)
then keeps only the tags and attributes listed here, whatever the renderer produced. Links get
``rel="noopener noreferrer nofollow"``; only http(s) and mailto URLs survive.
"""

from functools import cache

import nh3
from markdown_it import MarkdownIt

from annotator.core.text import normalize_text

# Inline elements, blocks, tables.
TAGS = frozenset(
    {"a", "abbr", "b", "br", "code", "del", "em", "i", "img", "kbd", "s", "strong", "sub", "sup"}
    | {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "ul"}
    | {"table", "tbody", "td", "th", "thead", "tr"}
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str, *, heading_offset: int = 0) -> str:
    """Sanitised HTML for ``source`` (normalised like any stored text first). With
    ``heading_offset``, ``#`` becomes ``h(1 + offset)``: guidelines shown in a page's side panel
    sit under the panel's own heading."""
    renderer = _renderer()
    tokens = renderer.parse(normalize_text(source))
    if heading_offset:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    html = renderer.renderer.render(tokens, renderer.options, {})
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
