"""jsonl: one article a line, re-importable by the JSONL importer.

The importer's fields (``id`` = external id, ``title``, ``text``, ``url``, ``published``,
``meta``, ``original_text``, ``spans: [{start, end, label}]`` with ``label`` = label key) plus
``article_id`` (database id) and, on each span, ``official_label``, ``text`` (the snapshot),
``annotator`` (null for the gold layer), ``note`` and ``origin``.
"""

import json

import orjson

from annotator.core import jsonbytes

from .base import ExportArticle, FormatWriter


def _stdlib_json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_line(obj) -> bytes:
    """``obj`` as one UTF-8 line (``jsonbytes.dumps``): wrap free-form values (article
    metadata) in :func:`stdlib_fragment`, whose numbers orjson may write differently."""
    return jsonbytes.dumps(obj, newline=True)


def stdlib_fragment(value) -> orjson.Fragment:
    """``value`` encoded by the standard library, for orjson to embed as is."""
    return orjson.Fragment(b"{}" if value == {} else _stdlib_json(value))


class JsonlWriter(FormatWriter):
    name = "jsonl"
    description = "One article a line with its spans (re-importable)"
    filename = "articles.jsonl"

    def files(self) -> list[str]:
        return [self.filename]

    def start(self) -> None:
        self.out = self.open_stream(self.filename)
        self._technique = {key: label.technique for key, label in self.labels.items()}

    def write_article(self, article: ExportArticle) -> None:
        technique = self._technique
        record = {
            "id": article.external_id,
            "article_id": article.id,
            "title": article.title,
            "text": article.text,
            "url": article.url,
            "published": article.published_iso,
            "meta": stdlib_fragment(article.metadata),
            "original_text": article.original_text,
            "spans": [
                {
                    "start": span.start,
                    "end": span.end,
                    "label": span.label_key,
                    "official_label": technique[span.label_key],
                    "text": span.text,
                    "annotator": span.annotator,
                    "note": span.note,
                    "origin": span.origin,
                }
                for span in article.spans
            ],
        }
        self.out.write(json_line(record))
