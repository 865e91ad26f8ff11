"""Predictions of trained models: loading a model once per process, caching its
recommendations per article and model version, and batch prediction for the queue."""

import threading
from collections import OrderedDict
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from annotator.corpus.models import Article, AssignmentStatus
from annotator.recommenders import kinds
from annotator.recommenders.models import CachedPrediction, TrainedModel
from annotator.recommenders.phrases import Suggestion

# (model id, artifact, created) -> predictor, most recent last. Not the id alone: SQLite may
# give a deleted model's id to a new one.
_LOADED: "OrderedDict[tuple, Any]" = OrderedDict()
_LOADED_LOCK = threading.Lock()
MAX_LOADED = 8


def predictor(model: TrainedModel) -> kinds.Predictor:
    """``text -> (suggestions, uncertainty | None)`` of a trained model, loaded once per
    process (a few models kept)."""
    key = (model.pk, model.artifact.name, model.created_at)
    with _LOADED_LOCK:
        if key in _LOADED:
            _LOADED.move_to_end(key)
            return _LOADED[key]
    with default_storage.open(model.artifact.name, "rb") as handle:
        predict = kinds.load(model.recommender.kind, handle.read())
    with _LOADED_LOCK:
        _LOADED[key] = predict
        while len(_LOADED) > MAX_LOADED:
            _LOADED.popitem(last=False)
    return predict


def store(model: TrainedModel, article_id: int, spans, uncertainty) -> None:
    rows = [[s.start, s.end, s.label, s.score] for s in spans]
    try:
        with transaction.atomic():
            CachedPrediction.objects.update_or_create(
                model=model,
                article_id=article_id,
                defaults={"spans": rows, "uncertainty": uncertainty},
            )
    except IntegrityError:  # stored meanwhile by another request: the same result
        pass


def suggestions_for(model: TrainedModel, article: Article) -> list[Suggestion]:
    """The model's recommendations on the article: cached, or computed now and cached."""
    cached = CachedPrediction.objects.filter(model=model, article_id=article.pk).first()
    if cached is not None:
        return [Suggestion(s, e, label, score) for s, e, label, score in cached.spans]
    spans, uncertainty = predictor(model)(article.text)
    store(model, article.pk, spans, uncertainty)
    return spans


def predict_batch(model: TrainedModel, progress=None) -> int:
    """Predict every article of the project that an annotator still has open (to do or in
    progress) with ``model``: cache the recommendations and write ``Article.uncertainty``
    (sequence models; active ordering reads it). Returns the number of articles."""
    predict = predictor(model)
    ids = list(
        Article.objects.filter(
            project_id=model.project_id,
            assignments__status__in=[AssignmentStatus.TODO, AssignmentStatus.IN_PROGRESS],
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for n, pk in enumerate(ids):
        text = Article.objects.filter(pk=pk).values_list("text", flat=True).first()
        if text is None:
            continue
        spans, uncertainty = predict(text)
        store(model, pk, spans, uncertainty)
        if uncertainty is not None:
            Article.objects.filter(pk=pk).update(uncertainty=uncertainty)
        if progress:
            progress(n + 1, len(ids))
    return len(ids)
