"""The per-article record: one dict an article with its spans, built here once for every
format that writes whole articles (a jsonl line, a parquet row), so that no format copies
another. Field by field in docs/formats.md ("jsonl").
"""

from collections.abc import Mapping
from typing import Any

from .base import ExportArticle


def article_record(
    article: ExportArticle, technique: Mapping[str, str], meta: Any
) -> dict[str, Any]:
    """The per-article record of jsonl (one line) and parquet (one row): what the importer
    reads plus the database id and, on each span, its official label, text, annotator, note
    and origin. ``technique`` maps label keys to official labels; ``meta`` is the metadata as
    the format stores it (an orjson fragment for jsonl, JSON text for parquet)."""
    spans = article.spans
    return {
        "id": article.external_id,
        "article_id": article.id,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "published": article.published_iso,
        "meta": meta,
        "original_text": article.original_text,
        "spans": [
            {
                "start": start,
                "end": end,
                "label": label_key,
                "official_label": technique[label_key],
                "text": text,
                "annotator": annotator,
                "note": note,
                "origin": origin,
            }
            for start, end, label_key, text, annotator, note, origin in spans
        ],
    }
