"""parquet: one row per article, its spans a list-of-struct column (Apache Parquet, pyarrow).

Each row is the per-article record of jsonl (``record.article_record``, the same fields, in the
same order, with the same values), so the two formats cannot drift apart: ``id``,
``article_id``, ``title``, ``text``, ``url``, ``published``, ``meta``, ``original_text`` and
``spans`` (``start``, ``end``, ``label``, ``official_label``, ``text``, ``annotator``, ``note``,
``origin``), and, when the record carries them, ``images`` and ``comments`` (on the article and
on each span). Offsets are code points, as everywhere. ``meta`` is free-form per article, so it
is stored as its JSON text (``json.loads(row["meta"])``); a record field this module has no
type for is stored the same way rather than dropped.

Rows are written in row groups of at most ``ROW_GROUP_ROWS`` articles, ``ROW_GROUP_CHARS``
characters of text or ``ROW_GROUP_SPANS`` spans, so memory stays flat however large the export
is; the file streams into the zip as it grows (a Parquet file is written front to back, its
footer last).
"""

from operator import itemgetter
from typing import Any

import orjson

from .base import ExportArticle, ExportSpan, FormatWriter
from .jsonl import _metadata_json
from .record import article_record

# Row group bounds: large enough for readers, small enough that a group's Python lists, Arrow
# arrays and encoded pages stay well under the 300 MB of a worker (bench/export.py).
ROW_GROUP_ROWS = 1_000
ROW_GROUP_CHARS = 4_000_000
ROW_GROUP_SPANS = 50_000


def _record_shape(technique: dict[str, str]) -> dict[str, Any]:
    """The record of a one-span article: which fields (and span fields) records have."""
    key = next(iter(technique), "label")
    probe = ExportArticle(0, "", "", "x", spans=[ExportSpan(0, 1, key, "x")])
    return article_record(probe, technique or {key: key}, "{}")


class _SinkStream:
    """The few file methods pyarrow's writer calls, over a sink file (which has no ``tell``)."""

    def __init__(self, out) -> None:
        self.out, self.position, self.closed = out, 0, False
        self.discard = False  # after a failure: pyarrow still writes a footer when collected

    def write(self, data) -> int:
        data = bytes(data)
        if not self.discard:
            self.out.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True  # the writer closes the sink file itself (FormatWriter.finish)


class ParquetWriter(FormatWriter):
    name = "parquet"
    description = "One article a row, its spans a list column (pandas, Hugging Face datasets)"
    filename = "articles.parquet"
    # read by the export when the record carries them (each span names its annotator)
    carries_annotator = True
    annotator_where = "the `annotator` field of each span (null: the gold layer)"
    carries_images = True
    carries_comments = True

    def start(self) -> None:
        from .parquet_arrow import RowGroups, stored_as_json  # pyarrow: only when needed

        self._technique = {key: label.technique for key, label in self.labels.items()}
        shape = _record_shape(self._technique)
        order = list(shape)  # columns in the record's order
        span_fields = list(shape.pop("spans")[0])
        self._json_fields, self._json_span_fields = stored_as_json(list(shape), span_fields)
        self._fields, self._span_fields = list(shape), span_fields
        self._stream = _SinkStream(self.out)
        self._parquet: RowGroups | None = RowGroups(self._stream, order, span_fields)
        self._reset()

    def _reset(self) -> None:
        self._rows: dict[str, list] = {name: [] for name in self._fields}
        self._span_columns: dict[str, list] = {name: [] for name in self._span_fields}
        self._span_offsets: list[int] = [0]
        self._chars = 0

    def write_article(self, article: ExportArticle) -> None:
        meta = _metadata_json(article.metadata).decode()
        record = article_record(article, self._technique, meta)
        spans = record.pop("spans")
        for name, column in self._rows.items():
            value = record[name]
            column.append(_json_text(value) if name in self._json_fields else value)
        for name, column in self._span_columns.items():
            values = map(itemgetter(name), spans)
            column.extend(map(_json_text, values) if name in self._json_span_fields else values)
        self._span_offsets.append(self._span_offsets[-1] + len(spans))
        self._chars += len(article.text) + len(article.original_text)
        if (
            len(self._span_offsets) > ROW_GROUP_ROWS
            or self._chars > ROW_GROUP_CHARS
            or self._span_offsets[-1] > ROW_GROUP_SPANS
        ):
            self._flush()

    def _flush(self) -> None:
        if self._parquet is None or len(self._span_offsets) == 1:
            return
        self._parquet.write(self._rows, self._span_columns, self._span_offsets)
        self._reset()

    def end(self) -> None:
        self._flush()
        if self._parquet is not None:
            self._parquet.close()

    def abort(self) -> None:
        if getattr(self, "_parquet", None) is not None:  # begun, not yet finished
            self._stream.discard = True  # the output is thrown away: no footer
            self._parquet = None
        super().abort()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()
