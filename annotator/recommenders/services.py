"""Recommenders: configuring them and requesting their training (on request, or when enough new
training data came). What they recommend: annotator.recommenders.recommending.

The API, the Celery tasks, the admin and the tests all call these. Errors are Django
``ValidationError``s naming the field.
"""

from functools import partial
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max

from annotator.core import jobs
from annotator.core.cache import or_default
from annotator.corpus.models import Project
from annotator.recommenders import training
from annotator.recommenders.models import (
    Recommender,
    RecommenderKind,
    RecommenderState,
    TrainedModel,
)

# name: (type, minimum, maximum)
SETTINGS: dict[str, tuple[type, float, float]] = {
    "min_agreement": (int, 1, 50),
    "retrain_after": (int, 1, 1_000_000),
    "timeout": (float, 0.1, 30),
    "folds": (int, 2, 10),
}
FIELDS = ("name", "kind", "enabled", "url", "settings")
RETRAIN_CHECK_SECONDS = 60  # how often opening articles may look for enough new training data


# --- configuring ---------------------------------------------------------------------------


def _clean_settings(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"settings": ["Must be an object."]})
    cleaned = {}
    for name, raw in value.items():
        if name not in SETTINGS:
            known = ", ".join(SETTINGS)
            raise ValidationError({"settings": [f"Unknown setting {name!r} (known: {known})."]})
        kind, low, high = SETTINGS[name]
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or (kind is int and not float(raw).is_integer())
        ):
            raise ValidationError({"settings": [f"{name} must be a number."]})
        if not low <= raw <= high:
            raise ValidationError({"settings": [f"{name} must be between {low} and {high}."]})
        cleaned[name] = kind(raw)
    return cleaned


def _apply(recommender: Recommender, data: dict) -> None:
    for field in FIELDS:
        value = data.get(field)
        if value is None:
            continue
        if field == "name":
            value = str(value).strip()
            if not value:
                raise ValidationError({"name": ["A recommender needs a name."]})
        if field == "settings":
            value = (recommender.settings or {}) | _clean_settings(value)
        if field == "url" and value and not str(value).lower().startswith(("http://", "https://")):
            raise ValidationError({"url": ["Must be an http:// or https:// URL."]})
        setattr(recommender, field, value)
    validate(recommender)


def validate(recommender: Recommender) -> None:
    """The rules of a recommender's kind, URL and settings (the API's and the admin's)."""
    _clean_settings(recommender.settings)
    if recommender.kind not in RecommenderKind.values:
        raise ValidationError({"kind": [f"Must be one of {', '.join(RecommenderKind.values)}."]})
    if recommender.kind == RecommenderKind.EXTERNAL and not recommender.url:
        raise ValidationError({"url": ["An external recommender needs the URL of its backend."]})
    if recommender.kind != RecommenderKind.EXTERNAL and recommender.url:
        raise ValidationError({"url": ["Only an external recommender has a URL."]})


def recommender_create(project: Project, data: dict) -> Recommender:
    recommender = Recommender(project=project, name="", kind=data.get("kind") or "")
    _apply(recommender, data)
    recommender.state = (
        RecommenderState.READY
        if recommender.kind == RecommenderKind.EXTERNAL
        else RecommenderState.UNTRAINED
    )
    recommender.save()
    return recommender


def recommender_update(recommender: Recommender, data: dict) -> Recommender:
    if "kind" in data and data["kind"] != recommender.kind:
        raise ValidationError({"kind": ["The kind of a recommender cannot change; add another."]})
    _apply(recommender, data)
    if recommender.kind == RecommenderKind.EXTERNAL and "url" in data:
        recommender.state, recommender.message = RecommenderState.READY, ""
    recommender.save()
    return recommender


def recommender_delete(recommender: Recommender) -> None:
    names = [m.artifact.name for m in recommender.models.all() if m.artifact]
    recommender.delete()
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))


def status(recommender: Recommender) -> tuple[str, str]:
    """(state, message) as the API shows them: "training" while a training is queued or
    running; a training that ended without updating the state (its task never ran: the broker
    was down) shows as its outcome."""
    latest = recommender.models.order_by("-version").first()
    if latest is not None and latest.status in (jobs.JobStatus.QUEUED, jobs.JobStatus.RUNNING):
        return RecommenderState.TRAINING, recommender.message
    if recommender.state != RecommenderState.TRAINING:
        return recommender.state, recommender.message
    if latest is not None and latest.status == jobs.JobStatus.FAILED:
        return RecommenderState.ERROR, recommender.message or f"training failed: {latest.error}"
    done = current_model(recommender) is not None
    return (RecommenderState.READY if done else RecommenderState.UNTRAINED), recommender.message


def current_model(recommender: Recommender) -> TrainedModel | None:
    """The newest trained model that is done (the one that recommends)."""
    return (
        recommender.models.filter(status=jobs.JobStatus.DONE)
        .order_by("-version")
        .select_related("recommender")
        .first()
    )


# --- training ------------------------------------------------------------------------------


def request_training(recommender: Recommender, requester=None) -> TrainedModel:
    """Queue a training of ``recommender`` (400 for an external one, or when there is nothing
    to learn from; a training already queued or running is returned instead of a second)."""
    if not recommender.trainable:
        raise ValidationError({"kind": ["An external recommender is trained by its own backend."]})
    source, size = training.training_size(recommender.project, recommender.setting("min_agreement"))
    if not size:
        raise ValidationError({"detail": [training.no_data_message(recommender)]})
    with transaction.atomic():
        locked = Recommender.objects.select_for_update().get(pk=recommender.pk)
        pending = locked.models.filter(
            status__in=[jobs.JobStatus.QUEUED, jobs.JobStatus.RUNNING]
        ).first()
        if pending is not None:
            return pending
        version = (locked.models.aggregate(v=Max("version"))["v"] or 0) + 1
        job = TrainedModel.objects.create(
            project_id=locked.project_id,
            recommender=locked,
            version=version,
            requester=requester,
        )
        Recommender.objects.filter(pk=locked.pk).update(
            trained_on_spans=size, state=RecommenderState.TRAINING, message=""
        )
        jobs.enqueue(job)
    return job


def retrain_if_due(recommender: Recommender, *, throttle: bool = True) -> TrainedModel | None:
    """Queue a training once ``retrain_after`` gold (or agreed) spans were added since the last
    one, or there is data and it was never trained, or gold came after it learned from
    agreement. With ``throttle`` (opening an article),
    looked at most once a minute per recommender; a broker that is down only leaves it for the
    next look."""
    if not recommender.trainable or not recommender.enabled:
        return None
    key = f"recommenders:retrain-check:{recommender.pk}"
    if throttle and not or_default(False, cache.add, key, 1, RETRAIN_CHECK_SECONDS):
        return None
    source, size = training.training_size(recommender.project, recommender.setting("min_agreement"))
    if not size:
        return None
    model = current_model(recommender)
    new = size - recommender.trained_on_spans >= recommender.setting("retrain_after")
    # Untrained with data, or trained on agreement and gold has come since: due at once.
    first = recommender.state == RecommenderState.UNTRAINED
    if not (new or first or (model is not None and model.source != source)):
        return None
    try:
        return request_training(recommender)
    except (ValidationError, jobs.BrokerUnavailable):
        return None


def retrain_all_due() -> list[str]:
    """``retrain_if_due`` for every enabled recommender of the projects not archived; what was
    queued, for the log."""
    queued = []
    recommenders = Recommender.objects.filter(
        enabled=True, project__archived_at__isnull=True
    ).exclude(kind=RecommenderKind.EXTERNAL)
    for recommender in recommenders.select_related("project").order_by("pk"):
        job = retrain_if_due(recommender, throttle=False)
        if job is not None:
            queued.append(f"{recommender} v{job.version}")
    return queued
