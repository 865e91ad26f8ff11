"""What an article's reader is recommended: every enabled recommender's spans, minus their own
spans and rejections, with each recommender's status; and rejecting a recommendation.

Trained models answer from their cached prediction (or predict now and cache it); an external
backend is asked over HTTP, and its failure is a status, never an error of the request.
"""

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.annotations.models import Span
from annotator.core.cache import or_default
from annotator.corpus.models import Article, AssignmentStatus, Project, Role
from annotator.recommenders import external, prediction
from annotator.recommenders.models import (
    Recommender,
    RecommenderKind,
    RecommenderState,
    Rejection,
)
from annotator.recommenders.phrases import Suggestion
from annotator.recommenders.services import current_model, retrain_if_due

VISIBLE = {"off": False, "always": True, "after_done": None}


def _label_names(project: Project) -> dict[str, str]:
    names = {}
    for key, name, official in project.schema.labels.filter(retired=False).values_list(
        "key", "name", "official_label"
    ):
        for alias in (official, name, key):  # the key wins over another label's name
            if alias:
                names[alias] = key
    return names


def _external(recommender: Recommender, article: Article) -> tuple[list[Suggestion], str]:
    # The URL and creation time too: a changed URL asks again, and a new recommender that got
    # a deleted one's id (SQLite) is not answered from the old one's cache.
    source = hashlib.sha256(f"{recommender.url} {recommender.created_at}".encode()).hexdigest()
    key = f"recommenders:external:{recommender.pk}:{source[:16]}:{article.pk}:{article.text_sha256}"
    hit = or_default(None, cache.get, key)
    if hit is not None:
        spans, version = hit
        return [Suggestion(*s) for s in spans], version
    spans, version = external.predict(
        recommender.url,
        article.pk,
        article.text,
        _label_names(article.project),
        project=article.project.slug,
        timeout=float(recommender.setting("timeout")),
    )
    rows = [[s.start, s.end, s.label, s.score] for s in spans]
    or_default(None, cache.set, key, (rows, version), 300)
    return spans, version


def _set_state(recommender: Recommender, state: str, message: str) -> None:
    if (recommender.state, recommender.message) != (state, message):
        Recommender.objects.filter(pk=recommender.pk).update(state=state, message=message)
        recommender.state, recommender.message = state, message


def _visibility(article: Article) -> tuple[bool, str]:
    setting = article.project.recommendations
    if article.my_role != Role.ANNOTATOR or VISIBLE.get(setting) is True:
        return True, ""
    if setting == "after_done" and article.my_status == AssignmentStatus.DONE:
        return True, ""
    return False, setting if setting in VISIBLE else "off"


def recommendations(article: Article, user) -> dict:
    """What the caller may be recommended on ``article`` (from ``corpus.permissions``: with
    ``my_role`` and ``my_status``): every enabled recommender's spans, minus the spans already
    in the caller's own layer and the caller's rejections, and each recommender's status."""
    visible, reason = _visibility(article)
    result: dict[str, Any] = {"visible": visible, "reason": reason, "recommendations": []}
    recommenders = list(
        Recommender.objects.filter(project_id=article.project_id, enabled=True).order_by("pk")
    )
    status = []
    found = []
    for recommender in recommenders:
        if not visible:
            break
        recommender.project = article.project
        state, message, spans, origin = _recommend(recommender, article)
        status.append(
            {
                "recommender": recommender.pk,
                "name": recommender.name,
                "state": state,
                "message": message,
            }
        )
        found += [(recommender, origin, s) for s in spans]
    result["status"] = status
    if not found:
        return result
    taken = set(
        Span.objects.filter(article_id=article.pk, annotator_id=user.pk).values_list(
            "start", "end", "label__key"
        )
    )
    taken |= set(
        Rejection.objects.filter(article_id=article.pk, user_id=user.pk).values_list(
            "start", "end", "label"
        )
    )
    live = set(article.project.schema.labels.filter(retired=False).values_list("key", flat=True))
    text = article.text
    seen = set()
    for recommender, origin, s in sorted(found, key=lambda f: (f[2].start, f[2].end, f[2].label)):
        ident = (recommender.pk, s.start, s.end, s.label)
        if (s.start, s.end, s.label) in taken or s.label not in live or ident in seen:
            continue
        if not 0 <= s.start < s.end <= len(text):
            continue
        seen.add(ident)
        result["recommendations"].append(
            {
                "id": f"{recommender.pk}:{s.start}:{s.end}:{s.label}",
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "score": s.score,
                "text": text[s.start : s.end],
                "recommender": recommender.pk,
                "recommender_name": recommender.name,
                "kind": recommender.kind,
                "origin_model": origin,
            }
        )
    return result


def _recommend(recommender: Recommender, article: Article):
    """(state, message, suggestions, origin_model) of one recommender on one article."""
    if recommender.kind == RecommenderKind.EXTERNAL:
        try:
            spans, version = _external(recommender, article)
        except external.ExternalError as exc:
            _set_state(recommender, RecommenderState.ERROR, str(exc))
            return "error", str(exc), [], ""
        _set_state(recommender, RecommenderState.READY, "")
        origin = f"external #{recommender.pk}" + (f" {version}" if version else "")
        return "ok", "", spans, origin[:100]
    retrain_if_due(recommender)
    model = current_model(recommender)
    if model is None:
        return "untrained", "No trained model yet.", [], ""
    try:
        spans = prediction.suggestions_for(model, article)
    except (OSError, ValueError) as exc:  # the artifact is gone or unreadable
        return "error", f"Model v{model.version} could not be loaded: {exc}", [], ""
    return "ok", "", spans, model.origin_model


def reject(article: Article, user, data: dict) -> tuple[Rejection, bool]:
    """Store that ``user`` turned down a recommendation; (rejection, created)."""
    for field in ("start", "end"):
        value = data.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError({field: ["Must be a whole number, 0 or more."]})
    start, end, label = int(data["start"]), int(data["end"]), data.get("label")
    if not start < end <= len(article.text):
        raise ValidationError(
            {"end": [f"Must be after start and at most the text's length ({len(article.text)})."]}
        )
    if not isinstance(label, str) or not article.project.schema.labels.filter(key=label).exists():
        raise ValidationError({"label": [f"No label {label!r} in this project."]})
    row = {"article": article, "user": user, "start": start, "end": end, "label": label}
    try:
        with transaction.atomic():
            return Rejection.objects.create(**row), True
    except IntegrityError:
        return Rejection.objects.get(**row), False
