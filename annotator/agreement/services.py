"""The agreement report: the one code path of the API and the Celery task.

``request_report`` checks the request and stores a *queued* AgreementReport with the chosen
article ids and options; ``run`` is the job's work (its life as a background job: core.jobs):
it streams the articles from the database in chunks, feeds the pure measures of
``measures.py`` (and ``gamma.py`` when asked) and returns the results the report stores.

Which layers are compared on an article: every annotator whose assignment there is *done*,
plus, without ``done_only``, those *in progress* and anyone else with spans there who did not
skip it (imported layers). An annotator who finished with no span is an empty layer: they found
nothing, and that counts; one who never opened the article (*to do*) is no layer at all. The
gold layer (spans without an annotator) counts on the articles that have at least one gold span.
"""

import time
from collections import defaultdict
from itertools import combinations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.functions import Length

from annotator.agreement import gamma as gamma_module
from annotator.agreement.measures import ANY, CharAlpha, Comparison, summed
from annotator.agreement.models import AgreementReport
from annotator.annotations.models import Span
from annotator.core import jobs
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Project

CHUNK = 500  # articles per round of queries: three queries per chunk, memory stays small
MAX_GAMMA_ARTICLES = 2000  # gamma costs about a second per article: refuse a day-long report


# --- requesting --------------------------------------------------------------------------


def request_report(
    project: Project,
    *,
    article_ids: list[int] | None = None,
    done_only: bool = False,
    gamma: bool = False,
    requester=None,
) -> AgreementReport:
    """A queued report over ``article_ids`` (default: every article of the project); a bad
    request raises ValidationError naming the field."""
    existing = Article.objects.filter(project=project)
    if article_ids is None:
        ids = list(existing.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(article_ids))
        found = set(existing.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise ValidationError({"article_ids": f"not articles of {project.slug}: {shown}"})
    if not ids:
        raise ValidationError({"article_ids": f"{project.slug} has no articles to compare"})
    if gamma and len(ids) > MAX_GAMMA_ARTICLES:
        raise ValidationError(
            {
                "gamma": f"gamma takes about a second per article: ask for it on at most "
                f"{MAX_GAMMA_ARTICLES} articles (article_ids), not {len(ids)}"
            }
        )
    return AgreementReport.objects.create(
        project=project,
        article_ids=ids,
        options={"done_only": bool(done_only), "gamma": bool(gamma)},
        progress_total=len(ids),
        requester=requester,
    )


def run(report: AgreementReport, progress) -> dict:
    """The job's work: compute the report; the fields of the done report."""
    results = compute(
        report.project,
        report.article_ids,
        done_only=report.options.get("done_only", False),
        gamma=report.options.get("gamma", False),
        progress=progress,
    )
    return {"results": results, "progress_done": len(report.article_ids)}


def report_now(project: Project, **request) -> AgreementReport | None:
    """Request and compute a report in this process (tests, benchmarks, the shell)."""
    report = request_report(project, **request)
    return jobs.run(AgreementReport, report.pk, run)


# --- computing ---------------------------------------------------------------------------


def article_layers(article_ids, *, done_only: bool):
    """Yield ``(article_id, length, {annotator_id: spans}, gold_spans)`` per article, in the
    order of ``article_ids``, reading CHUNK articles per round (three queries)."""
    for offset in range(0, len(article_ids), CHUNK):
        chunk = article_ids[offset : offset + CHUNK]
        lengths = dict(
            Article.objects.filter(pk__in=chunk)
            .annotate(length=Length("text"))
            .values_list("pk", "length")
        )
        assigned: dict[int, set] = defaultdict(set)
        skipped: dict[int, set] = defaultdict(set)
        rows = Assignment.objects.filter(article_id__in=chunk).values_list(
            "article_id", "annotator_id", "status"
        )
        for article_id, annotator_id, status in rows:
            if status == AssignmentStatus.SKIPPED:
                skipped[article_id].add(annotator_id)
            elif status == AssignmentStatus.DONE or (
                not done_only and status == AssignmentStatus.IN_PROGRESS
            ):
                assigned[article_id].add(annotator_id)
        spans: dict[int, dict] = defaultdict(lambda: defaultdict(list))
        span_rows = Span.objects.filter(article_id__in=chunk).values_list(
            "article_id", "annotator_id", "start", "end", "label_id"
        )
        for article_id, annotator_id, start, end, label_id in span_rows.order_by():
            spans[article_id][annotator_id].append((start, end, label_id))
        for article_id in chunk:
            if article_id not in lengths:
                continue  # deleted since the report was requested
            by_layer = spans.get(article_id, {})
            coders = set(assigned.get(article_id, ()))
            if not done_only:
                coders |= {a for a in by_layer if a is not None} - skipped[article_id]
            layers = {coder: by_layer.get(coder, []) for coder in sorted(coders)}
            yield article_id, lengths[article_id], layers, by_layer.get(None, [])


def compute(
    project: Project,
    article_ids: list[int],
    *,
    done_only: bool = False,
    gamma: bool = False,
    progress=None,
) -> dict:
    """The report's results (JSON-ready): see docs/agreement.md for their layout."""
    total = len(article_ids)
    pairs: dict[tuple, Comparison] = defaultdict(Comparison)
    vs_gold: dict[object, Comparison] = defaultdict(Comparison)
    alpha = CharAlpha()
    gammas: dict[int, float | None] = {}
    gamma_error = None
    if gamma and not gamma_module.available():
        gamma, gamma_error = False, gamma_module.UNAVAILABLE
    seconds = {"spans": 0.0, "gamma": 0.0}
    counts = {"articles": 0, "compared": 0, "with_gold": 0}

    started = time.perf_counter()
    for done, (article_id, length, layers, gold) in enumerate(
        article_layers(article_ids, done_only=done_only), start=1
    ):
        counts["articles"] += 1
        if len(layers) >= 2:
            counts["compared"] += 1
        for a, b in combinations(layers, 2):
            pairs[(a, b)].add_article(layers[a], layers[b])
        if gold:
            counts["with_gold"] += 1
            for coder, spans in layers.items():
                vs_gold[coder].add_article(spans, gold)
        alpha.add_article(length, layers)
        if gamma:
            t0 = time.perf_counter()
            gammas[article_id] = gamma_module.article_gamma(layers)
            seconds["gamma"] += time.perf_counter() - t0
        if progress is not None:
            progress(done, total)
    seconds["spans"] = time.perf_counter() - started - seconds["gamma"]

    t0 = time.perf_counter()
    label_keys = dict(project.schema.labels.values_list("pk", "key"))
    per_label = {label_keys.get(pk, str(pk)): alpha.alpha(pk) for pk in alpha.labels()}
    alpha_results = {"any": alpha.alpha(ANY), "per_label": per_label}
    seconds["alpha"] = time.perf_counter() - t0

    users = _usernames({a for pair in pairs for a in pair} | set(vs_gold))
    return {
        "counts": counts,
        "annotators": {str(pk): name for pk, name in users.items()},
        "labels": dict(project.schema.labels.values_list("key", "name")),
        "pairs": [
            {"a": users[a], "b": users[b], "a_id": a, "b_id": b, **_keyed(comparison, label_keys)}
            for (a, b), comparison in sorted(pairs.items())
        ],
        "pairs_overall": _keyed(summed(pairs.values(), Comparison()), label_keys),
        "gold": [
            {"annotator": users[a], "annotator_id": a, **_keyed(comparison, label_keys)}
            for a, comparison in sorted(vs_gold.items())
        ],
        "gold_overall": _keyed(summed(vs_gold.values(), Comparison()), label_keys),
        "alpha": alpha_results,
        "gamma": _gamma_results(gamma, gamma_error, gammas, seconds["gamma"]),
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
    }


def _keyed(comparison: Comparison, label_keys: dict) -> dict:
    """``comparison.as_dict()`` with label ids replaced by label keys."""
    result = comparison.as_dict()
    result["per_label"] = {
        label_keys.get(label_id, str(label_id)): scores
        for label_id, scores in result["per_label"].items()
    }
    return result


def _usernames(ids) -> dict:
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))


def _gamma_results(requested, error, gammas, seconds) -> dict:
    if error:
        return {"requested": True, "error": error}
    if not requested:
        return {"requested": False}
    defined = [value for value in gammas.values() if value is not None]
    return {
        "requested": True,
        "mean": sum(defined) / len(defined) if defined else None,
        "articles": len(defined),
        "per_article": {str(pk): value for pk, value in gammas.items()},
        "seconds": round(seconds, 3),
    }
