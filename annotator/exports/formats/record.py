"""The per-article record: one dict an article with its spans, images and comments, built
here once for every format that writes whole articles (jsonl, and parquet's rows), so that no
format copies another. Field by field in docs/formats.md ("jsonl").

Comments of a span sit on that span (``spans[i].comments``), the article's thread on the
record (``comments``); both are lists for every record and span, empty when there is none,
so that readers inferring a schema (pandas, Hugging Face ``datasets``) see one shape.
"""

from collections.abc import Mapping
from typing import Any

from .base import ExportArticle, ExportComment, ExportImage


def comment_record(comment: ExportComment) -> dict[str, Any]:
    return {
        "author": comment.author,
        "author_role": comment.author_role,
        "body": comment.body,
        "created_at": comment.created_at,
    }


def image_record(image: ExportImage) -> dict[str, Any]:
    """The JSONL importer's image fields (``src``, and ``start``/``end`` of the caption when it
    has one) plus ``caption`` (its text) and ``file`` (the picture's path in the zip, or null)."""
    record: dict[str, Any] = {"src": image.src, "file": image.file, "caption": image.caption}
    if image.caption_start is not None:
        record["start"], record["end"] = image.caption_start, image.caption_end
    return record


def article_record(
    article: ExportArticle, technique: Mapping[str, str], meta: Any
) -> dict[str, Any]:
    """The record of ``article``; ``technique`` maps label keys to official labels, ``meta`` is
    the metadata as the format writes it (jsonl embeds pre-encoded JSON)."""
    on_span: dict[tuple, list[dict[str, Any]]] = {}
    thread = []
    for comment in article.comments:
        if comment.span is None:
            thread.append(comment_record(comment))
        else:
            on_span.setdefault(comment.span, []).append(comment_record(comment))
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
                "comments": on_span.get((annotator, label_key, start, end), []) if on_span else [],
            }
            for start, end, label_key, text, annotator, note, origin in article.spans
        ],
        "images": [image_record(image) for image in article.images],
        "comments": thread,
    }
