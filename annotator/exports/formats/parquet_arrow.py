"""The Arrow side of the ``parquet`` format: column types, and row groups written with pyarrow.

Imported only when a parquet export starts (``ParquetWriter.start``): pyarrow adds ~45 MB to
the resident memory of every process that imports it, web processes and workers exporting
other formats included.
"""

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# The record's fields (record.article_record) and their types. A field not listed is stored as
# its JSON text, so that nothing the record carries is lost before it gets a type here.
SPAN_FIELDS: dict[str, pa.DataType] = {
    "start": pa.int64(),
    "end": pa.int64(),
    "label": pa.string(),
    "official_label": pa.string(),
    "text": pa.string(),
    "annotator": pa.string(),
    "note": pa.string(),
    "origin": pa.string(),
}
COMMENT_TYPE = pa.list_(
    pa.struct(
        [
            ("author", pa.string()),
            ("author_role", pa.string()),
            ("body", pa.string()),
            ("created_at", pa.string()),
        ]
    )
)
IMAGE_TYPE = pa.list_(
    pa.struct(
        [
            ("src", pa.string()),
            ("file", pa.string()),
            ("caption", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
        ]
    )
)
SPAN_TYPES = SPAN_FIELDS | {"comments": COMMENT_TYPE}  # with the fields a richer record adds
COLUMNS: dict[str, pa.DataType] = {
    "id": pa.string(),
    "article_id": pa.int64(),
    "title": pa.string(),
    "text": pa.string(),
    "url": pa.string(),
    "published": pa.string(),
    "meta": pa.string(),
    "original_text": pa.string(),
    "images": IMAGE_TYPE,
    "comments": COMMENT_TYPE,
}
DICTIONARY_COLUMNS = [
    f"spans.list.element.{name}" for name in ("label", "official_label", "annotator", "origin")
]
JSON_TEXT = pa.string()


def stored_as_json(fields: list[str], span_fields: list[str]) -> tuple[set[str], set[str]]:
    """The record fields and span fields with no Arrow type here: stored as their JSON text."""
    return set(fields) - set(COLUMNS), set(span_fields) - set(SPAN_TYPES)


class RowGroups:
    """A Parquet file of the record's columns (``order``, ``spans`` among them), written a row
    group at a time to ``stream`` (a file object with ``write`` and ``tell``)."""

    def __init__(self, stream: Any, order: list[str], span_fields: list[str]) -> None:
        self._span_type = pa.struct(
            [(name, SPAN_TYPES.get(name, JSON_TEXT)) for name in span_fields]
        )
        types = {name: COLUMNS.get(name, JSON_TEXT) for name in order}
        types["spans"] = pa.list_(self._span_type)
        self._schema = pa.schema([pa.field(name, types[name]) for name in order])
        self._writer = pq.ParquetWriter(
            stream,
            self._schema,
            compression="zstd",
            use_dictionary=DICTIONARY_COLUMNS,  # repeated names; texts are mostly unique
        )

    def write(
        self, rows: dict[str, list], span_columns: dict[str, list], span_offsets: list[int]
    ) -> None:
        """One row group: the columns of its rows, its spans' columns, and where each row's
        spans start in them (``span_offsets``, one more than there are rows)."""
        spans = pa.StructArray.from_arrays(
            [pa.array(span_columns[f.name], f.type) for f in self._span_type],
            fields=list(self._span_type),
        )
        columns = {
            f.name: pa.array(rows[f.name], f.type) for f in self._schema if f.name != "spans"
        }
        columns["spans"] = pa.ListArray.from_arrays(
            pa.array(span_offsets, pa.int32()), spans, type=self._schema.field("spans").type
        )
        table = pa.Table.from_arrays([columns[f.name] for f in self._schema], schema=self._schema)
        self._writer.write_table(table)
        del table, columns, spans
        pa.default_memory_pool().release_unused()  # mimalloc would keep each group's pages

    def close(self) -> None:
        self._writer.close()
