"""parquet: one row per article, its spans a list-of-struct column (Apache Parquet, pyarrow).

Each row is the jsonl record of the article (``jsonl.article_record``, the same fields and
values), so the two formats cannot drift apart: ``id``, ``article_id``, ``title``, ``text``,
``url``, ``published``, ``meta``, ``original_text`` and ``spans`` (``start``, ``end``,
``label``, ``official_label``, ``text``, ``annotator``, ``note``, ``origin``). Offsets are code
points, as everywhere. ``meta`` is free-form per article, so it is stored as its JSON text
(``json.loads(row["meta"])``); a record field this module does not know yet is stored the
same way rather than dropped.

Rows are written in row groups of at most ``ROW_GROUP_ROWS`` articles, ``ROW_GROUP_CHARS``
characters of text or ``ROW_GROUP_SPANS`` spans, so memory stays flat however large the export
is; the file streams into the zip as it grows (a Parquet file is written front to back, its
footer last).
"""

from operator import itemgetter
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from .base import ExportArticle, FormatWriter
from .jsonl import _metadata_json, article_record

# Row group bounds: large enough for readers, small enough that a group's Python lists, Arrow
# arrays and encoded pages stay well under the 300 MB of a worker (bench/export.py).
ROW_GROUP_ROWS = 2_000
ROW_GROUP_CHARS = 4_000_000
ROW_GROUP_SPANS = 50_000

SPAN_TYPE = pa.struct(
    [
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("label", pa.string()),
        ("official_label", pa.string()),
        ("text", pa.string()),
        ("annotator", pa.string()),
        ("note", pa.string()),
        ("origin", pa.string()),
    ]
)
COLUMNS: dict[str, pa.DataType] = {
    "id": pa.string(),
    "article_id": pa.int64(),
    "title": pa.string(),
    "text": pa.string(),
    "url": pa.string(),
    "published": pa.string(),
    "meta": pa.string(),
    "original_text": pa.string(),
    "spans": pa.list_(SPAN_TYPE),
}
SPAN_FIELDS = [field.name for field in SPAN_TYPE]
DICTIONARY_COLUMNS = [
    f"spans.list.element.{name}" for name in ("label", "official_label", "annotator", "origin")
]


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

    def start(self) -> None:
        self._technique = {key: label.technique for key, label in self.labels.items()}
        self._extra: list[str] | None = None  # record fields stored as JSON text
        self._schema: pa.Schema | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._reset()

    def _reset(self) -> None:
        self._rows: dict[str, list] = {name: [] for name in COLUMNS if name != "spans"}
        self._span_columns: dict[str, list] = {name: [] for name in SPAN_FIELDS}
        self._span_offsets: list[int] = [0]
        self._extra_rows: dict[str, list] = {name: [] for name in self._extra or ()}
        self._chars = 0

    def write_article(self, article: ExportArticle) -> None:
        meta = _metadata_json(article.metadata).decode()
        record = article_record(article, self._technique, meta)
        if self._extra is None:
            self._open(record)
        spans = record.pop("spans")
        for name, column in self._rows.items():
            column.append(record[name])
        for name, column in self._extra_rows.items():
            column.append(orjson.dumps(record[name]).decode())
        for name, column in self._span_columns.items():
            column.extend(map(itemgetter(name), spans))
        self._span_offsets.append(self._span_offsets[-1] + len(spans))
        self._chars += len(article.text) + len(article.original_text)
        if (
            len(self._span_offsets) > ROW_GROUP_ROWS
            or self._chars > ROW_GROUP_CHARS
            or self._span_offsets[-1] > ROW_GROUP_SPANS
        ):
            self._flush()

    def _open(self, record: dict[str, Any]) -> None:
        self._extra = [name for name in record if name not in COLUMNS]
        fields = [pa.field(name, kind) for name, kind in COLUMNS.items()]
        fields += [pa.field(name, pa.string()) for name in self._extra]
        self._schema = pa.schema(fields)
        self._extra_rows = {name: [] for name in self._extra}
        self._stream = _SinkStream(self.out)
        self._parquet = pq.ParquetWriter(
            self._stream,
            self._schema,
            compression="zstd",
            use_dictionary=DICTIONARY_COLUMNS,  # repeated names; texts are mostly unique
        )

    def _flush(self) -> None:
        if self._parquet is None or len(self._span_offsets) == 1:
            return
        spans = pa.StructArray.from_arrays(
            [pa.array(self._span_columns[f.name], f.type) for f in SPAN_TYPE],
            fields=list(SPAN_TYPE),
        )
        columns = {name: pa.array(values, COLUMNS[name]) for name, values in self._rows.items()}
        columns["spans"] = pa.ListArray.from_arrays(
            pa.array(self._span_offsets, pa.int32()), spans, type=COLUMNS["spans"]
        )
        for name, values in self._extra_rows.items():
            columns[name] = pa.array(values, pa.string())
        assert self._schema is not None
        table = pa.Table.from_arrays([columns[f.name] for f in self._schema], schema=self._schema)
        self._parquet.write_table(table)
        del table, columns, spans
        self._reset()
        pa.default_memory_pool().release_unused()  # mimalloc would keep each group's pages

    def end(self) -> None:
        if self._parquet is None:  # no article: an empty table with the known columns
            self._open({name: None for name in COLUMNS})
        self._flush()
        assert self._parquet is not None
        self._parquet.close()

    def abort(self) -> None:
        if getattr(self, "_parquet", None) is not None:  # begun, not yet finished
            self._stream.discard = True  # the output is thrown away: no footer
            self._parquet = None
        super().abort()
