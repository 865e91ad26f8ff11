"""Agreement reports through the API: who may start and read them, what they compute from the
stored spans, and how bad requests and failures are reported.

The Celery task runs eagerly here (in this process, after the request's transaction commits).
"""

import os

import pytest
from api_helpers import World, client_for, make_span

from annotator.agreement import gamma as gamma_module
from annotator.agreement import services
from annotator.agreement.models import AgreementReport
from annotator.celery import app
from annotator.corpus.models import Article, Assignment, AssignmentStatus
from annotator.schemas.models import Label

pytestmark = pytest.mark.django_db

approx = pytest.approx

# pygamma-agreement is optional and takes about a minute to import and compile on first use on
# a 2-core machine: its tests run with ANNOTATOR_TEST_GAMMA=1 (and the library installed).
needs_gamma = pytest.mark.skipif(
    os.environ.get("ANNOTATOR_TEST_GAMMA") != "1", reason="set ANNOTATOR_TEST_GAMMA=1"
)


@pytest.fixture(autouse=True)
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def url(project, pk=None):
    base = f"/api/v1/projects/{project.slug}/agreement/"
    return base if pk is None else f"{base}{pk}/"


def client_as(world: World, role):
    users = {
        "ann": world.annotator,
        "out": world.outsider,
        "rev": world.reviewer,
        "res": world.researcher,
        "mgr": world.manager,
        "su": world.staff,
    }
    return client_for() if role == "anon" else client_for(users[role])


def start(client, project, capture, **body):
    with capture(execute=True):
        return client.post(url(project), body, format="json")


@pytest.fixture
def two_layers(world):
    """ann2 also annotates world.article: ann [4,9) loaded, ann2 [6,12) loaded, gold [4,9)."""
    Assignment.objects.create(article=world.article, annotator=world.annotator2)
    make_span(world.article, world.annotator2, world.span.label, 6, 12)
    return world


READERS = ("res", "rev", "mgr", "su")


@pytest.mark.parametrize("role", [*READERS, "ann", "out", "anon"])
def test_who_may_start_and_read_reports(world, role, django_capture_on_commit_callbacks):
    client = client_as(world, role)
    response = start(client, world.project, django_capture_on_commit_callbacks)
    expected = 201 if role in READERS else 401 if role == "anon" else 404
    assert response.status_code == expected, response.content
    assert AgreementReport.objects.exists() == (role in READERS)
    existing = AgreementReport.objects.create(project=world.project)
    read_expected = 200 if role in READERS else expected
    assert client.get(url(world.project)).status_code == read_expected
    detail = client.get(url(world.project, existing.pk))
    assert detail.status_code == read_expected
    if role not in READERS:
        assert "results" not in detail.json()


def test_report_scores_the_stored_layers(two_layers, django_capture_on_commit_callbacks):
    world = two_layers
    client = client_for(world.reviewer)
    response = start(client, world.project, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    body = client.get(url(world.project, response.json()["id"])).json()
    assert body["status"] == "done", body["error"]
    assert body["progress"] == {"done": 2, "total": 2}
    assert body["requester"] == "rev"
    assert body["finished_at"]
    assert body["article_ids"] == [world.article.pk, world.other_article.pk]
    results = body["results"]
    # One article with two layers; other_article has ann2 only (nothing to compare there).
    assert results["counts"] == {"articles": 2, "compared": 1, "with_gold": 1}
    (pair,) = results["pairs"]
    assert (pair["a"], pair["b"], pair["articles"]) == ("ann", "ann2", 1)
    # [4,9) against [6,12): 3 shared characters; P = 3/5, R = 3/6.
    semeval = pair["semeval_unlabelled"]
    assert (semeval["precision"], semeval["recall"]) == (approx(3 / 5), approx(3 / 6))
    assert pair["per_label"]["loaded_language"]["semeval"]["f1"] == approx(semeval["f1"])
    assert pair["exact"]["f1"] == 0.0
    assert results["pairs_overall"]["semeval_labelled"]["f1"] == approx(semeval["f1"])
    # Against gold [4,9): ann matches exactly; ann2 P = 3/6, R = 3/5.
    gold = {row["annotator"]: row for row in results["gold"]}
    assert gold["ann"]["exact"]["f1"] == 1.0
    assert gold["ann2"]["semeval_labelled"]["precision"] == approx(3 / 6)
    assert gold["ann2"]["semeval_labelled"]["recall"] == approx(3 / 5)
    # Overall against gold sums both: credit (1 + 1/2) over 2 spans, (1 + 3/5) over 2 gold.
    assert results["gold_overall"]["semeval_unlabelled"]["precision"] == approx(1.5 / 2)
    assert results["gold_overall"]["semeval_unlabelled"]["recall"] == approx(1.6 / 2)
    # Alpha over the article's characters: defined, and below perfect agreement.
    assert results["alpha"]["per_label"]["loaded_language"] < 1.0
    assert results["alpha"]["any"] == approx(results["alpha"]["per_label"]["loaded_language"])
    assert results["gamma"] == {"requested": False}
    assert results["annotators"] == {
        str(world.annotator.pk): "ann",
        str(world.annotator2.pk): "ann2",
    }

    listed = client.get(url(world.project)).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "results" not in listed[0]
    assert listed[0]["articles"] == 2


def test_an_annotator_who_finished_without_spans_is_an_empty_layer(world):
    Assignment.objects.create(
        article=world.article, annotator=world.annotator2, status=AssignmentStatus.DONE
    )
    report = services.report_now(world.project, article_ids=[world.article.pk])
    (pair,) = report.results["pairs"]
    assert pair["semeval_unlabelled"]["f1"] == 0.0
    assert (pair["semeval_unlabelled"]["spans_a"], pair["semeval_unlabelled"]["spans_b"]) == (1, 0)


@pytest.mark.parametrize("status", [AssignmentStatus.TODO, AssignmentStatus.SKIPPED])
def test_work_not_started_or_skipped_is_no_layer(world, status):
    """An article nobody opened is no disagreement (#14: it topped the queue at 1.00)."""
    Assignment.objects.create(article=world.article, annotator=world.annotator2, status=status)
    report = services.report_now(world.project, article_ids=[world.article.pk])
    assert report.results["pairs"] == []


def test_done_only_and_skipped_assignments(two_layers):
    world = two_layers
    report = services.report_now(world.project, done_only=True)
    assert report.results["pairs"] == []
    assert report.options["done_only"] is True
    Assignment.objects.filter(article=world.article).update(status=AssignmentStatus.DONE)
    assert len(services.report_now(world.project, done_only=True).results["pairs"]) == 1
    Assignment.objects.filter(annotator=world.annotator2).update(status=AssignmentStatus.SKIPPED)
    assert services.report_now(world.project).results["pairs"] == []


def test_layers_on_astral_text(world, unicode_sample):
    article = Article.objects.create(project=world.project, external_id="u", text=unicode_sample)
    for user in (world.annotator, world.annotator2):
        Assignment.objects.create(article=article, annotator=user)
    label = world.span.label
    start = unicode_sample.index("🔥 news")
    make_span(article, world.annotator, label, start, start + len("🔥 news"))  # 6 code points
    make_span(article, world.annotator2, label, start + 2, start + 6)  # "news"
    report = services.report_now(world.project, article_ids=[article.pk])
    (pair,) = report.results["pairs"]
    assert pair["semeval_labelled"]["precision"] == approx(4 / 6)
    assert pair["semeval_labelled"]["recall"] == 1.0
    assert report.results["alpha"]["per_label"]["loaded_language"] is not None


def test_per_label_results_use_label_keys(two_layers):
    world = two_layers
    calling = Label.objects.get(key="name_calling")
    make_span(world.article, world.annotator, calling, 24, 28)
    make_span(world.article, world.annotator2, calling, 24, 28)
    report = services.report_now(world.project)
    (pair,) = report.results["pairs"]
    assert pair["per_label"]["name_calling"]["exact"]["f1"] == 1.0
    assert set(report.results["alpha"]["per_label"]) == {"loaded_language", "name_calling"}
    assert report.results["alpha"]["per_label"]["name_calling"] == 1.0


def test_foreign_article_ids_are_refused(world, django_capture_on_commit_callbacks):
    client = client_for(world.manager)
    response = start(
        client,
        world.project,
        django_capture_on_commit_callbacks,
        article_ids=[world.article.pk, world.foreign_article.pk],
    )
    assert response.status_code == 400
    assert str(world.foreign_article.pk) in response.json()["article_ids"][0]
    assert not AgreementReport.objects.exists()
    response = client.post(url(world.project), {"article_ids": ["x"]}, format="json")
    assert response.status_code == 400
    assert "article_ids" in response.json()


def test_gamma_is_refused_on_too_many_articles(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_GAMMA_ARTICLES", 1)
    response = client_for(world.manager).post(url(world.project), {"gamma": True}, format="json")
    assert response.status_code == 400
    assert "gamma" in response.json()
    assert not AgreementReport.objects.exists()


def test_gamma_without_the_library_reports_why_and_ships_the_rest(two_layers, monkeypatch):
    monkeypatch.setattr(gamma_module, "available", lambda: False)
    report = services.report_now(two_layers.project, gamma=True)
    assert report.status == "done"
    assert report.results["gamma"] == {"requested": True, "error": gamma_module.UNAVAILABLE}
    assert len(report.results["pairs"]) == 1


@needs_gamma
def test_gamma_per_article_with_the_library(two_layers):
    report = services.report_now(two_layers.project, gamma=True)
    gamma = report.results["gamma"]
    # world.article has two layers; other_article one (gamma undefined there).
    assert gamma["per_article"][str(two_layers.other_article.pk)] is None
    assert gamma["articles"] == 1
    assert gamma["mean"] < 1.0


def test_a_failing_computation_is_stored_as_failed(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "compute", broken)
    report = services.report_now(world.project)
    assert report.status == "failed"
    assert report.error == "RuntimeError: disk on fire"
    assert report.finished_at is not None
    assert report.results == {}


def test_progress_is_reported_per_article_as_articles_stream(world, monkeypatch):
    for n in range(5):
        Article.objects.create(project=world.project, external_id=f"p{n}", text="Some text.")
    monkeypatch.setattr(services, "CHUNK", 2)
    seen = []
    real_compute = services.compute

    def watching(*args, progress, **kwargs):
        def spy(done, total):
            progress(done, total)
            seen.append(done)

        return real_compute(*args, progress=spy, **kwargs)

    monkeypatch.setattr(services, "compute", watching)
    report = services.report_now(world.project)
    assert report.status == "done"
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert (report.progress_done, report.progress_total) == (7, 7)
