"""A project of synthetic articles (annotator.recommenders.synthetic) for the recommender tests:
gold spans on the training articles, an annotator assigned the rest."""

from dataclasses import dataclass

import pytest
from api_helpers import make_user
from celery import current_app

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.recommenders import synthetic
from annotator.schemas.models import Label, LabelSchema


def recs_url(project, *rest) -> str:
    """/api/v1/projects/<slug>/recommenders/<rest...>/"""
    return "/api/v1/projects/" + "/".join([project.slug, "recommenders", *map(str, rest)]) + "/"


@dataclass
class RecWorld:
    project: Project
    manager: object
    annotator: object
    reviewer: object
    train: list[Article]
    fresh: list[Article]  # assigned to the annotator, no spans
    fresh_gold: list[list[tuple[int, int, str]]]  # what the generator knows is in them


def make_project(slug: str = "synth") -> tuple[Project, object]:
    schema = LabelSchema.objects.create(name=f"{slug} labels")
    for n, (key, category) in enumerate(sorted(synthetic.CATEGORIES.items())):
        Label.objects.create(
            schema=schema, key=key, name=key.replace("_", " "), order=n, category=category
        )
    project = Project.objects.create(slug=slug, name=slug.title(), schema=schema)
    manager = make_user(f"{slug}-boss")
    Membership.objects.create(user=manager, project=project, role=Role.MANAGER)
    return project, manager


def add_articles(project, documents, prefix: str, *, gold: bool) -> list[Article]:
    labels = {label.key: label for label in project.schema.labels.all()}
    articles = []
    for n, (text, spans) in enumerate(documents):
        article = Article.objects.create(project=project, external_id=f"{prefix}{n}", text=text)
        if gold:
            Span.objects.bulk_create(
                Span(
                    article=article,
                    annotator=None,
                    label=labels[label],
                    start=s,
                    end=e,
                    text=text[s:e],
                    origin="import",
                )
                for s, e, label in spans
            )
        articles.append(article)
    return articles


def rec_world(n_train: int = 30, n_fresh: int = 5, seed: int = 1) -> RecWorld:
    project, manager = make_project()
    annotator, reviewer = make_user("synth-ann"), make_user("synth-rev")
    Membership.objects.create(user=annotator, project=project, role=Role.ANNOTATOR)
    Membership.objects.create(user=reviewer, project=project, role=Role.REVIEWER)
    train_docs = synthetic.corpus(n_train, seed=seed, spans=6)
    train = add_articles(project, train_docs, "t", gold=True)
    fresh_docs = synthetic.corpus(n_fresh, seed=seed + 100, spans=6)
    if train_docs and fresh_docs:  # the first new article repeats three phrases of the first
        fresh_docs[0] = with_repeats(fresh_docs[0], train_docs[0], 3)
    fresh = add_articles(project, fresh_docs, "f", gold=False)
    for article in fresh:
        Assignment.objects.create(article=article, annotator=annotator)
    return RecWorld(
        project, manager, annotator, reviewer, train, fresh, [spans for _, spans in fresh_docs]
    )


def with_repeats(document, source, n: int):
    """``document`` with a first paragraph repeating ``n`` labelled phrases of ``source``."""
    text, spans = document
    head, repeated = "", []
    for start, end, label in source[1][:n]:
        phrase = source[0][start:end]
        repeated.append((len(head), len(head) + len(phrase), label))
        head += phrase + ". "
    head += "\n\n"
    return head + text, repeated + [(s + len(head), e + len(head), lab) for s, e, lab in spans]


@pytest.fixture
def eager():
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before
