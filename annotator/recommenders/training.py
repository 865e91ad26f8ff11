"""What a recommender learns from, and the training job's work (core.jobs).

Training data, gold first: the articles that have a gold layer (gold spans, or a review marked
done) with their gold spans. A project without gold learns from agreement instead: the spans
(same start, end and label) that at least ``min_agreement`` annotators made, on the articles
where that many annotators marked their assignment done or that hold such a span.
"""

import time
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, Exists, OuterRef, Q

from annotator.annotations.models import CurationStatus, Span
from annotator.core.jobs import JobFailed
from annotator.corpus.models import Article, AssignmentStatus, Project
from annotator.recommenders import evaluation, kinds, prediction
from annotator.recommenders.models import (
    Recommender,
    RecommenderKind,
    RecommenderState,
    TrainedModel,
)

Document = tuple[int, str, list[tuple[int, int, str]]]  # (article id, text, spans)


def label_categories(project: Project) -> dict[str, str]:
    """Label key -> category (its own key when it has none) of the project's live labels."""
    labels = project.schema.labels.filter(retired=False).values_list("key", "category")
    return {key: category or key for key, category in labels}


def _agreed_spans(project: Project, k: int):
    return (
        Span.objects.filter(article__project=project, annotator__isnull=False)
        .values("article_id", "start", "end", "label__key")
        .annotate(n=Count("annotator_id", distinct=True))
        .filter(n__gte=k)
        .order_by()
    )


def training_size(project: Project, k: int) -> tuple[str, int]:
    """("gold" | "agreed", number of training spans): what the retrain trigger counts."""
    gold = Span.objects.filter(article__project=project, annotator__isnull=True).count()
    if gold:
        return "gold", gold
    return "agreed", _agreed_spans(project, k).count()


def training_data(project: Project, k: int) -> tuple[str, list[Document]]:
    """("gold" | "agreed", documents), ordered by article id; documents may be []."""
    has_gold = Span.objects.filter(article_id=OuterRef("pk"), annotator__isnull=True)
    gold_articles = Article.objects.filter(project=project).filter(
        Exists(has_gold) | Q(curation__status=CurationStatus.DONE)
    )
    gold_ids = set(gold_articles.values_list("pk", flat=True))
    spans: dict[int, list[tuple[int, int, str]]] = {}
    if gold_ids:
        source = "gold"
        rows = Span.objects.filter(article_id__in=gold_ids, annotator__isnull=True).values_list(
            "article_id", "start", "end", "label__key"
        )
        for article_id, start, end, key in rows:
            spans.setdefault(article_id, []).append((start, end, key))
        ids = gold_ids
    else:
        source = "agreed"
        for row in _agreed_spans(project, k):
            spans.setdefault(row["article_id"], []).append(
                (row["start"], row["end"], row["label__key"])
            )
        done = (
            Article.objects.filter(project=project)
            .annotate(
                done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.DONE))
            )
            .filter(done__gte=k)
            .values_list("pk", flat=True)
        )
        ids = set(done) | set(spans)
    texts = Article.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "text")
    return source, [(pk, text, sorted(spans.get(pk, []))) for pk, text in texts]


def no_data_message(recommender: Recommender) -> str:
    k = recommender.setting("min_agreement")
    return (
        "There is nothing to learn from yet: no article has gold spans (or a review marked "
        f"done), and no span was made identically by {k} annotators. Review some articles, "
        "or lower min_agreement."
    )


def work(job: TrainedModel, progress) -> dict[str, Any]:
    """Train ``job``'s recommender on the project's data now, evaluate it, store the artifact."""
    recommender = job.recommender
    Recommender.objects.filter(pk=recommender.pk).update(state=RecommenderState.TRAINING)
    try:
        return _train(job, recommender, progress)
    except JobFailed as exc:
        _set_state(recommender, RecommenderState.ERROR, str(exc))
        raise
    except Exception as exc:
        _set_state(recommender, RecommenderState.ERROR, f"training failed: {exc}")
        raise


def _train(job: TrainedModel, recommender: Recommender, progress) -> dict[str, Any]:
    project = recommender.project
    categories = label_categories(project)
    source, documents = training_data(project, recommender.setting("min_agreement"))
    documents = [
        (pk, text, [s for s in spans if s[2] in categories]) for pk, text, spans in documents
    ]
    n_spans = sum(len(spans) for _, _, spans in documents)
    if not n_spans:
        raise JobFailed(no_data_message(recommender))
    started = time.monotonic()
    plain = [(text, spans) for _, text, spans in documents]
    artifact = kinds.fit(recommender.kind, plain, categories, _stage(progress, 0, 30))
    duration = time.monotonic() - started
    suffix = "phrases.json" if recommender.kind == RecommenderKind.PHRASE else "crf.zip"
    job.artifact.save(suffix, ContentFile(artifact), save=False)
    evaluated = evaluation.evaluate(
        lambda docs: kinds.fit(recommender.kind, docs, categories),
        lambda blob: _suggestions_only(kinds.load(recommender.kind, blob)),
        plain,
        folds=recommender.setting("folds"),
        progress=_stage(progress, 30, 90),
    )
    if recommender.kind == RecommenderKind.SEQUENCE:
        # The queue's order (active ordering) and the first recommendations of open articles.
        job.recommender = recommender
        prediction.predict_batch(job, _stage(progress, 90, 100))
    _set_state(recommender, RecommenderState.READY, "")
    labels = sorted({s[2] for _, _, spans in documents for s in spans})
    return {
        "artifact": job.artifact.name,
        "source": source,
        "counts": {"articles": len(documents), "spans": n_spans, "labels": len(labels)},
        "features": kinds.features(recommender.kind),
        "duration_seconds": round(duration, 3),
        "evaluation": evaluated,
    }


def _set_state(recommender: Recommender, state: str, message: str) -> None:
    Recommender.objects.filter(pk=recommender.pk).update(state=state, message=message[:2000])


def _suggestions_only(predict: kinds.Predictor):
    return lambda text: predict(text)[0]


def _stage(progress, low: int, high: int):
    """A stage's own ``(done, total)`` (training, evaluation, batch prediction) reported as the
    job's progress in percent, the stage taking ``low`` to ``high`` of it."""

    def report(done: int, total: int) -> None:
        progress(low + (high - low) * done // max(total, 1), 100)

    return report
