"""jsonl: one article a line, re-importable by the JSONL importer.

The importer's fields (``id`` = external id, ``title``, ``text``, ``url``, ``published``,
``meta``, ``original_text``, ``spans: [{start, end, label}]`` with ``label`` = label key) plus
``article_id`` (database id) and, on each span, ``official_label``, ``text`` (the snapshot),
``annotator`` (null for the gold layer), ``note``, ``origin`` and ``comments``; the article's
``images`` and ``comments`` (its thread). The record is built by ``record.article_record``.
"""

import json
from operator import itemgetter

import orjson

from annotator.core import jsonbytes
from annotator.core.jsonbytes import has_line_breaks

from .base import ExportArticle, ExportSpan, FormatWriter
from .record import article_record

_NOTE, _ANNOTATOR = ExportSpan._fields.index("note"), ExportSpan._fields.index("annotator")


def json_line(obj, escape: bool = True) -> bytes:
    """``obj`` as one UTF-8 line (``jsonbytes.dumps``): wrap free-form values (article
    metadata) in :func:`stdlib_fragment`, whose numbers orjson may write differently."""
    return jsonbytes.dumps(obj, newline=True, escape=escape)


def stdlib_fragment(value) -> orjson.Fragment:
    """``value`` encoded by the standard library, for orjson to embed as is."""
    return orjson.Fragment(_metadata_json(value))


def _metadata_json(value) -> bytes:
    """``value`` as the standard library writes it; through orjson when that is the same
    (no floats; orjson refuses integers past 64 bits), 5x faster."""
    if value == {}:
        return b"{}"
    if not _has_float(value):
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _has_float(value) -> bool:
    kind = type(value)
    if kind is dict:
        return any(map(_has_float, value.values()))
    if kind is list:
        return any(map(_has_float, value))
    return kind is float


class JsonlWriter(FormatWriter):
    name = "jsonl"
    description = "One article a line with its spans, images and comments (re-importable)"
    filename = "articles.jsonl"
    carries_annotator = True
    carries_images = True
    carries_comments = True
    annotator_where = "the `annotator` field of each span"

    def start(self) -> None:
        self._technique = {key: label.technique for key, label in self.labels.items()}
        self._breaks_in_labels = has_line_breaks(*self._technique.values())
        self._names_without_breaks: set[str] = set()

    def write_article(self, article: ExportArticle) -> None:
        meta = _metadata_json(article.metadata)
        record = article_record(article, self._technique, orjson.Fragment(meta))
        self.out.write(json_line(record, escape=self._may_break_lines(article, meta)))

    def _may_break_lines(self, article: ExportArticle, meta: bytes) -> bool:
        """Whether the line needs json_line's search for line breaks, decided on the strings
        (much cheaper). Span texts are slices of the text (write() has verified them); label
        keys and origins are plain tokens; label names and usernames are checked once."""
        spans = article.spans
        names = set(map(itemgetter(_ANNOTATOR), spans))
        names.discard(None)
        if not names <= self._names_without_breaks:
            if has_line_breaks(*names):
                return True
            self._names_without_breaks |= names
        notes = "".join(map(itemgetter(_NOTE), spans))
        return (
            self._breaks_in_labels
            or has_line_breaks(
                article.text,
                article.title,
                article.original_text,
                notes,
                article.external_id,
                article.url,
            )
            or has_line_breaks(meta.decode())
            or bool(article.images and has_line_breaks(*(i.src for i in article.images)))
            or bool(
                article.comments and has_line_breaks(*(c.author + c.body for c in article.comments))
            )
        )
