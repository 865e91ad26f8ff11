"""Project statistics for the dashboard: progress per annotator, spans per label, and the
articles on which the annotators disagree most (the reviewer's queue).

No article text leaves this module: articles are named by id, external id and title only, so
researchers (who may not read the texts) see the same numbers as reviewers.
"""

from itertools import combinations

from django.db.models import Count, Q

from annotator.agreement.measures import semeval_article
from annotator.agreement.services import article_layers
from annotator.annotations.models import Span
from annotator.corpus.models import Project
from annotator.corpus.progress import project_progress

DEFAULT_LIMIT = 50


def spans_per_label(project: Project) -> list[dict]:
    """Every label of the schema (in its order) with its number of annotator and gold spans."""
    counts = {
        row["label_id"]: row
        for row in Span.objects.filter(article__project=project)
        .values("label_id")
        .annotate(
            annotators=Count("id", filter=Q(annotator__isnull=False)),
            gold=Count("id", filter=Q(annotator__isnull=True)),
        )
        .order_by()
    }
    return [
        {
            "key": key,
            "name": name,
            "retired": retired,
            "annotators": counts.get(pk, {}).get("annotators", 0),
            "gold": counts.get(pk, {}).get("gold", 0),
        }
        for pk, key, name, retired in project.schema.labels.order_by("order", "id").values_list(
            "pk", "key", "name", "retired"
        )
    ]


def article_disagreement(layers: dict) -> float | None:
    """Mean of 1 - labelled SemEval F1 over the pairs of annotator layers; None below 2 layers."""
    pairs = list(combinations(layers.values(), 2))
    if not pairs:
        return None
    return sum(1 - semeval_article(a, b, labelled=True).f1 for a, b in pairs) / len(pairs)


def disagreement_queue(
    project: Project,
    *,
    limit: int = DEFAULT_LIMIT,
    done_only: bool = True,
    pair: tuple[int, int] | None = None,
) -> dict:
    """The ``limit`` articles with the highest disagreement (ties: lower id first).

    ``done_only`` (the default) compares finished work only, as the dashboard shows it; without
    it, work in progress counts too (never articles an annotator has not opened: see
    ``article_layers``). ``pair`` (two annotator ids, a heat map cell) keeps the articles both
    annotated and scores that pair alone.
    """
    ids = list(project.articles.order_by("pk").values_list("pk", flat=True))
    scored = []
    for article_id, _length, layers, gold in article_layers(ids, done_only=done_only):
        if pair is not None:
            if not all(user in layers for user in pair):
                continue
            layers = {user: layers[user] for user in pair}
        score = article_disagreement(layers)
        if score is not None:
            spans = sum(len(spans) for spans in layers.values())
            scored.append((score, article_id, len(layers), spans, bool(gold)))
    scored.sort(key=lambda row: (-row[0], row[1]))
    top = scored[:limit]
    names = dict(
        (pk, (ext, title))
        for pk, ext, title in project.articles.filter(pk__in=[row[1] for row in top]).values_list(
            "pk", "external_id", "title"
        )
    )
    return {
        "compared": len(scored),
        "done_only": done_only,
        "pair": list(pair) if pair is not None else None,
        "articles": [
            {
                "article": article_id,
                "external_id": names[article_id][0],
                "title": names[article_id][1],
                "layers": n_layers,
                "spans": n_spans,
                "has_gold": has_gold,
                "disagreement": round(score, 4),
            }
            for score, article_id, n_layers, n_spans, has_gold in top
        ],
    }


def project_stats(
    project: Project,
    user,
    *,
    limit: int = DEFAULT_LIMIT,
    done_only: bool = True,
    pair: tuple[int, int] | None = None,
) -> dict:
    progress = project_progress(project, user, everyone=True, per_annotator=True)
    return {
        "articles": progress["articles"],
        "progress": {"all": progress["all"], "by_annotator": progress["by_annotator"]},
        "spans_per_label": spans_per_label(project),
        "disagreement": disagreement_queue(project, limit=limit, done_only=done_only, pair=pair),
    }
