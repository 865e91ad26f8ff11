"""jsonl: one article a line, re-importable by the JSONL importer.

The importer's fields (``id`` = external id, ``title``, ``text``, ``url``, ``published``,
``meta``, ``original_text``, ``spans: [{start, end, label}]`` with ``label`` = label key) plus
``article_id`` (database id) and, on each span, ``official_label``, ``text`` (the snapshot),
``annotator`` (null for the gold layer), ``note`` and ``origin``.
"""

import json

from .base import ExportArticle, FormatWriter

# Line breaks for str.splitlines() that JSON leaves unescaped; escaping them keeps one
# article on one line for every reader, not only those splitting on "\n".
_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_line(obj) -> str:
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _LINE_BREAKS.items():
        if char in line:
            line = line.replace(char, escaped)
    return line + "\n"


class JsonlWriter(FormatWriter):
    name = "jsonl"
    description = "One article a line with its spans (re-importable)"
    filename = "articles.jsonl"

    def files(self) -> list[str]:
        return [self.filename]

    def start(self) -> None:
        self.out = self.open_stream(self.filename)

    def write_article(self, article: ExportArticle) -> None:
        record = {
            "id": article.external_id,
            "article_id": article.id,
            "title": article.title,
            "text": article.text,
            "url": article.url,
            "published": article.published_iso,
            "meta": article.metadata,
            "original_text": article.original_text,
            "spans": [
                {
                    "start": span.start,
                    "end": span.end,
                    "label": span.label_key,
                    "official_label": self.labels[span.label_key].technique,
                    "text": span.text,
                    "annotator": span.annotator,
                    "note": span.note,
                    "origin": span.origin,
                }
                for span in article.spans
            ],
        }
        self.out.write_text(json_line(record))
