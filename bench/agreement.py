"""Agreement benchmark: the report for 1,000 articles x 3 annotators x 20 spans each.

    .venv/bin/python bench/agreement.py                   # 1,000 articles, gamma on 20 of them
    .venv/bin/python bench/agreement.py --articles 5000 --gold --gamma-sample 0

Creates the PostgreSQL database ``annotator_agreement_bench`` (dropped at the end; the server is
BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432), fills it with articles of about
3,000 characters (emoji, ZWJ sequences, no-break spaces, right-to-left text) where three
annotators mark 20 spans each around shared "true" spans (shifted ends, some other labels, some
missed), optionally a gold layer, then computes the report through the service the Celery task
runs (``services.report_now``) and prints:

- read: seconds to stream every article's layers from the database alone;
- report: seconds of the whole report (read + SemEval and exact per pair/vs gold/per label +
  alpha per label), with the share of the pure measures and of alpha;
- alpha for one label through the krippendorff package on the same data, for comparison;
- gamma: seconds per article on a sample (pygamma-agreement, after its import), the import
  time, and the 1,000-article figure extrapolated from the sample.

Target: the report without gamma within 10 s.
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "annotator_agreement_bench"
TEXT_LENGTH = 3000
ANNOTATORS = 3
WORDS = ["🔥", "café", "naïve", "no\u00a0break", "عادلة", "שקר", "👨\u200d👩\u200d👧", "e\u0301"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--spans", type=int, default=20, help="spans per annotator per article")
    parser.add_argument("--gold", action="store_true", help="add a gold layer of as many spans")
    parser.add_argument("--gamma-sample", type=int, default=20, help="articles to time gamma on")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _server(f"CREATE DATABASE {DB_NAME}")
    try:
        import django

        django.setup()
        run(args)
        from django.db import connections

        connections.close_all()
    finally:
        _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def run(args) -> None:
    from annotator.agreement import services

    project, total_spans = generate(args.articles, args.spans, args.gold)
    ids = list(project.articles.order_by("pk").values_list("pk", flat=True))
    print(f"{len(ids):,} articles, {ANNOTATORS} annotators, {total_spans:,} spans", flush=True)

    started = time.perf_counter()
    layers = list(services.article_layers(ids, done_only=False))
    read = time.perf_counter() - started

    started = time.perf_counter()
    report = services.report_now(project)
    total = time.perf_counter() - started
    assert report.status == "done", report.error
    seconds = report.results["seconds"]
    overall = report.results["pairs_overall"]
    print(f"read layers:  {read:6.2f} s")
    print(
        f"report:       {total:6.2f} s  (read + measures {seconds['spans']:.2f} s, "
        f"alpha {seconds['alpha']:.2f} s over {len(report.results['alpha']['per_label'])} "
        f"labels + any)  target 10 s: {'met' if total <= 10 else 'MISSED'}"
    )
    print(
        f"  pairs overall: SemEval F1 unlabelled {overall['semeval_unlabelled']['f1']:.3f}, "
        f"labelled {overall['semeval_labelled']['f1']:.3f}, exact {overall['exact']['f1']:.3f}; "
        f"alpha any {report.results['alpha']['any']:.3f}"
    )
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    time_alpha_library(layers)
    if args.gamma_sample:
        time_gamma(layers[: args.gamma_sample], len(ids))


def time_alpha_library(layers) -> None:
    """The krippendorff package on the same value counts, for one label (any span)."""
    from annotator.agreement.measures import ANY, CharAlpha

    acc = CharAlpha()
    for _, length, by_coder, _ in layers:
        acc.add_article(length, by_coder)
    started = time.perf_counter()
    fast = acc.alpha(ANY)
    middle = time.perf_counter()
    library = acc.alpha(ANY, method="library")
    end = time.perf_counter()
    print(
        f"alpha, any span, {acc._offset:,} characters: coincidences {middle - started:.2f} s, "
        f"krippendorff package {end - middle:.2f} s per label (same value: "
        f"{abs(fast - library) < 1e-9}: {fast:.6f} / {library:.6f})"
    )


def time_gamma(sample, articles: int) -> None:
    from annotator.agreement import gamma

    started = time.perf_counter()
    if not gamma.available():
        print(f"gamma: {gamma.UNAVAILABLE}")
        return
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    values = [gamma.article_gamma(layers) for _, _, layers, _ in sample]
    spent = time.perf_counter() - started
    per = spent / len(sample)
    print(
        f"gamma:        import {loaded:.1f} s; {len(sample)} articles in {spent:.1f} s "
        f"({per:.2f} s/article, first includes JIT); {articles:,} articles ~ "
        f"{per * articles / 60:.0f} min on one core; mean gamma {sum(values) / len(values):.3f}"
    )


def _server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def text_for(rng: random.Random, n: int) -> str:
    parts, length = [f"Article {n}"], 0
    while length < TEXT_LENGTH:
        words = [
            rng.choice(WORDS) if rng.random() < 0.05 else "x" * rng.randint(2, 9)
            for _ in range(rng.randint(8, 20))
        ]
        sentence = " ".join(words).capitalize() + "."
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


def generate(count: int, spans_each: int, gold: bool):
    """A project whose annotators agree imperfectly around shared true spans."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotator.annotations.models import Span
    from annotator.corpus.models import Article, Assignment, Membership, Project, Role
    from annotator.schemas.services import load_schema

    call_command("migrate", verbosity=0)
    schema = load_schema("semeval2020", name="Bench schema")
    labels = list(schema.labels.values_list("pk", flat=True))
    project = Project.objects.create(slug="bench", name="Bench", schema=schema)
    users = [get_user_model().objects.create_user(f"ann{n}") for n in range(ANNOTATORS)]
    Membership.objects.bulk_create(
        Membership(user=user, project=project, role=Role.ANNOTATOR) for user in users
    )
    rng = random.Random(7)
    articles = Article.objects.bulk_create(
        Article(project=project, external_id=f"b{n}", text=text_for(rng, n)) for n in range(count)
    )
    Assignment.objects.bulk_create(
        Assignment(article=article, annotator=user) for article in articles for user in users
    )
    spans = []
    seen = set()
    for article in articles:
        text = article.text
        truth = []
        for _ in range(spans_each):
            start = rng.randrange(0, len(text) - 100)
            truth.append((start, start + rng.randint(5, 80), rng.choice(labels)))
        layers = [*users, None] if gold else users
        for user in layers:
            for start, end, label in truth:
                if user is not None and rng.random() < 0.15:  # missed: a span elsewhere
                    start = rng.randrange(0, len(text) - 100)
                    end = start + rng.randint(5, 80)
                if user is not None:
                    start = max(0, start + rng.randint(-5, 5))
                    end = max(start + 1, end + rng.randint(-5, 5))
                    label = label if rng.random() < 0.8 else rng.choice(labels)
                if (key := (article.pk, user, label, start, end)) in seen:
                    continue  # no identical span twice in a layer (the database refuses it)
                seen.add(key)
                spans.append(
                    Span(
                        article=article,
                        annotator=user,
                        label_id=label,
                        start=start,
                        end=end,
                        text=text[start:end],
                    )
                )
    Span.objects.bulk_create(spans, batch_size=5000)
    return project, len(spans)


if __name__ == "__main__":
    main()
