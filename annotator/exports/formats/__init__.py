"""Dataset export formats: plain writers over plain data (see base.py and docs/formats.md).

``FORMATS[name](labels, options)`` gives a writer; ``write_export(writer, sink, articles)``
runs it into a ``DirSink`` or ``ZipSink`` (sinks.py).
"""

from .base import (
    ExportArticle,
    ExportComment,
    ExportError,
    ExportImage,
    ExportLabel,
    ExportSpan,
    FormatWriter,
    SpanMismatch,
    file_id,
    write_export,
)
from .brat import BratWriter
from .conll import ConllWriter
from .csv import CsvWriter
from .doccano import DoccanoWriter
from .jsonl import JsonlWriter
from .label_studio import LabelStudioWriter
from .parquet import ParquetWriter
from .semeval import SemevalWriter
from .sinks import DirSink, Sink, ZipSink

FORMATS: dict[str, type[FormatWriter]] = {
    writer.name: writer
    for writer in (JsonlWriter, SemevalWriter, ConllWriter, BratWriter, CsvWriter)
}
# Formats for other tools (Hugging Face, doccano, Label Studio)
FORMATS.update(
    {writer.name: writer for writer in (ParquetWriter, DoccanoWriter, LabelStudioWriter)}
)

__all__ = [
    "FORMATS",
    "DirSink",
    "ExportArticle",
    "ExportComment",
    "ExportError",
    "ExportImage",
    "ExportLabel",
    "ExportSpan",
    "FormatWriter",
    "Sink",
    "SpanMismatch",
    "ZipSink",
    "file_id",
    "write_export",
]
