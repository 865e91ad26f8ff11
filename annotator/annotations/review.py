"""Curation of the gold layer: compare every annotator's spans of an article and decide.

Plain functions for the review API, commands and tasks. A *group* is every annotator span with
the same ``(start, end, label)``: annotators who marked exactly the same thing agree on it.
Accepting a group copies it into the gold layer (spans with ``annotator`` NULL); rejecting it
removes it from gold and remembers the decision in the article's :class:`Curation`, so that
auto-accept does not promote it again. Every write locks the article row like the span service
does, so it serialises with annotators' and reviewers' span writes on the same article.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction

from annotator.annotations import spans as span_service
from annotator.annotations.models import Curation, CurationStatus, Span, SpanOrigin
from annotator.corpus.models import Article, Assignment
from annotator.schemas.models import Label


@dataclass
class AutoAcceptResult:
    promoted: int  # groups copied into gold
    skipped: int  # agreeing groups left out: retired label, or overlapping gold where forbidden


def curation_of(article: Article) -> Curation:
    """The article's curation record (unsaved and ``todo`` if nobody reviewed it yet)."""
    return Curation.objects.filter(article_id=article.pk).first() or Curation(article_id=article.pk)


def annotators_of(article: Article) -> list[dict]:
    """Everyone whose layer counts: assigned annotators and anyone with spans, by username."""
    names = ("annotator_id", "annotator__username")
    users = dict(Assignment.objects.filter(article_id=article.pk).values_list(*names))
    spans = Span.objects.filter(article_id=article.pk, annotator__isnull=False)
    users.update(spans.values_list(*names).distinct())
    return [{"id": pk, "username": name} for pk, name in sorted(users.items(), key=lambda u: u[1])]


def group_spans(article: Article) -> list[dict]:
    """The article's spans grouped by identical ``(start, end, label)``, in text order.

    Each group: ``start``, ``end``, ``label`` (key), ``text``, ``annotators`` (``[{id,
    username, span, note}]`` who marked it, by username, with their span's id and note),
    ``count``, ``gold`` (the gold span's id or None), ``gold_note`` and ``rejected``. Spans
    only in gold (a reviewer's own or edited span) are groups with ``count`` 0.
    """
    rejected = {tuple(item) for item in curation_of(article).rejected}
    groups: dict[tuple, dict] = {}
    rows = Span.objects.filter(article_id=article.pk).order_by("annotator__username", "pk")
    for span_id, user_id, username, label_key, start, end, text, note in rows.values_list(
        "pk", "annotator_id", "annotator__username", "label__key", "start", "end", "text", "note"
    ):
        key = (start, end, label_key)
        group = groups.setdefault(
            key,
            {
                "start": start,
                "end": end,
                "label": label_key,
                "text": text,
                "annotators": [],
                "count": 0,
                "gold": None,
                "gold_note": "",
                "rejected": key in rejected,
            },
        )
        if user_id is None:
            group["gold"], group["gold_note"] = span_id, note
        elif all(a["id"] != user_id for a in group["annotators"]):
            group["annotators"].append(
                {"id": user_id, "username": username, "span": span_id, "note": note}
            )
            group["count"] += 1
    return [groups[key] for key in sorted(groups)]


def _touch(article: Article, reviewer, rejected_change=None) -> Curation:
    """Record who worked on the article; the first decision moves it from to-do to in progress."""
    curation, _ = Curation.objects.select_for_update().get_or_create(article_id=article.pk)
    if curation.status == CurationStatus.TODO:
        curation.status = CurationStatus.IN_PROGRESS
    if rejected_change is not None:
        curation.rejected = rejected_change(
            [item for item in curation.rejected if isinstance(item, list)]
        )
    curation.reviewer = reviewer
    curation.save()
    return curation


def _check_candidate(article: Article, start, end, label) -> None:
    if not isinstance(label, str) or not label:
        raise span_service.invalid("label", "Give a label key (a string).")
    span_service.check_offsets(article, start, end)


def accept(article: Article, start, end, label, reviewer) -> tuple[Span, bool]:
    """Put ``label`` at ``[start, end)`` into the gold layer; ``(span, created)``.

    Idempotent: an identical gold span is returned as it is. Offsets and label are checked like
    any span write (:mod:`annotator.annotations.spans` errors), which also makes this the way to
    accept an *edited* candidate: pass the corrected offsets or label.
    """
    _check_candidate(article, start, end, label)
    with transaction.atomic():
        span_service._lock(article)
        existing = (
            Span.objects.select_related("label")
            .filter(article_id=article.pk, annotator__isnull=True)
            .filter(start=start, end=end, label__key=label)
            .first()
        )
        if existing is None:
            span, created = span_service.create_span(
                article, None, label=label, start=start, end=end, locked=True
            )
        else:
            span, created = existing, False
        key = [start, end, label]
        _touch(article, reviewer, lambda items: [item for item in items if item != key])
    return span, created


def reject(article: Article, start, end, label, reviewer) -> bool:
    """Turn the candidate down: remove it from gold if it is there, and remember the decision.

    Returns whether a gold span was removed.
    """
    _check_candidate(article, start, end, label)
    key = [start, end, label]
    with transaction.atomic():
        span_service._lock(article)
        removed, _ = Span.objects.filter(
            article_id=article.pk, annotator__isnull=True, start=start, end=end, label__key=label
        ).delete()
        _touch(article, reviewer, lambda items: items if key in items else [*items, key])
    return bool(removed)


def set_status(article: Article, status, reviewer) -> Curation:
    if status not in CurationStatus.values:
        raise span_service.invalid(
            "status", f"Must be one of {', '.join(CurationStatus.values)}, got {status!r}."
        )
    with transaction.atomic():
        curation, _ = Curation.objects.select_for_update().get_or_create(article_id=article.pk)
        curation.status = status
        curation.reviewer = reviewer
        curation.save()
    return curation


def check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise span_service.invalid("k", f"Must be a whole number of annotators >= 1, got {k!r}.")
    return k


def auto_accept(articles, k, reviewer=None) -> AutoAcceptResult:
    """Copy into gold every group that at least ``k`` annotators marked identically.

    ``articles``: Article instances or ids, of one project. One transaction for all of them;
    groups already in gold or rejected by a reviewer are left alone, so running it twice
    promotes nothing the second time. Groups with a retired label, or overlapping gold in a
    project that forbids overlaps, are skipped (counted in ``skipped``).
    """
    check_k(k)
    ids = sorted({getattr(a, "pk", a) for a in articles})
    skipped = 0
    with transaction.atomic():
        # Lock in id order (as any other multi-article writer must) against span writers.
        locked = Article.objects.select_for_update(of=("self",)).select_related("project")
        by_id = {a.pk: a for a in locked.filter(pk__in=ids).order_by("pk")}
        if not by_id:
            return AutoAcceptResult(0, 0)
        rejected = {
            article_id: {tuple(item) for item in items}
            for article_id, items in Curation.objects.filter(article_id__in=by_id).values_list(
                "article_id", "rejected"
            )
        }
        voters: dict[tuple, set] = {}  # (article, start, end, label id) -> annotator ids
        gold: dict[int, list[tuple]] = {pk: [] for pk in by_id}
        for article_id, user_id, label_id, start, end in (
            Span.objects.filter(article_id__in=by_id)
            .order_by()
            .values_list("article_id", "annotator_id", "label_id", "start", "end")
        ):
            if user_id is None:
                gold[article_id].append((start, end, label_id))
            else:
                voters.setdefault((article_id, start, end, label_id), set()).add(user_id)
        labels = dict(
            Label.objects.filter(pk__in={key[3] for key in voters}).values_list("pk", "key")
        )
        retired = set(
            Label.objects.filter(pk__in=labels, retired=True).values_list("pk", flat=True)
        )
        new, touched = [], set()
        for (article_id, start, end, label_id), users in sorted(voters.items()):
            if len(users) < k or (start, end, label_id) in gold[article_id]:
                continue
            if (start, end, labels[label_id]) in rejected.get(article_id, ()):
                continue
            article = by_id[article_id]
            overlaps = not article.project.allow_overlap and any(
                s < end and start < e for s, e, _ in gold[article_id]
            )
            if label_id in retired or overlaps:
                skipped += 1
                continue
            gold[article_id].append((start, end, label_id))
            touched.add(article_id)
            new.append(
                Span(
                    article_id=article_id,
                    annotator=None,
                    label_id=label_id,
                    start=start,
                    end=end,
                    text=article.text[start:end],
                    client_id=uuid.uuid4(),
                    origin=SpanOrigin.MANUAL,
                )
            )
        Span.objects.bulk_create(new)
        for article_id in sorted(touched):
            _touch(by_id[article_id], reviewer)
    return AutoAcceptResult(len(new), skipped)
