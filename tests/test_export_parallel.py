"""A large jsonl export on PostgreSQL is built by two processes (annotator.exports.parallel):
the zip must hold what one process writes, and a failing or dying child must fail the export
with the reason, leaving nothing behind."""

import json
import os

import pytest
from django.db import connection
from test_exports_service import Corpus, export, jsonl_records, open_zip

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.corpus.models import Article
from annotator.exports import parallel, services
from annotator.exports.build import local_temp_dir

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the child reads committed rows only
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="parallel builds run on PostgreSQL only"
    ),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def corpus(unicode_sample):
    corpus = Corpus(unicode_sample)
    for n in range(40):  # enough articles for two halves of several articles each
        article = Article.objects.create(
            project=corpus.project,
            external_id=f"n{n:02}",
            text=f"{n} 👨‍👩‍👧 lies\r\nmore\u00a0lies",
        )
        corpus.span(article, corpus.ann1, corpus.doubt, 3, 11)
        corpus.span(article, corpus.ann2, corpus.loaded, 13, 17)
    return corpus


@pytest.fixture
def forks(monkeypatch):
    """The number of child processes started by builds."""
    started = []
    original = parallel.ForkedHalf.start

    def start(self, snapshot):
        started.append(snapshot)
        return original(self, snapshot)

    monkeypatch.setattr(parallel.ForkedHalf, "start", start)
    return started


def contents(result) -> dict:
    archive = open_zip(result)
    return {name: archive.read(name) for name in archive.namelist() if name != "README.md"}


def test_two_processes_write_what_one_writes(corpus, settings, forks):
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 0
    single = export(corpus)
    assert forks == []
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 10
    split = export(corpus)
    assert len(forks) == 1
    one, two = contents(single), contents(split)
    assert one["articles.jsonl"] == two["articles.jsonl"]
    assert split.counts == single.counts and split.counts["articles"] == 43
    assert split.progress_done == split.progress_total == 43
    manifest_one, manifest_two = (json.loads(c.pop("manifest.json")) for c in (one, two))
    for manifest in (manifest_one, manifest_two):
        for key in ("created_at", "export_id", "dataset"):  # and the card, which names them
            manifest.pop(key)
        manifest["files"].pop("README.md")
    assert manifest_one == manifest_two and one == two
    records = jsonl_records(split)
    assert [r["id"] for r in records] == ["a1", "a2", "a3"] + [f"n{n:02}" for n in range(40)]
    assert all(s["text"] == r["text"][s["start"] : s["end"]] for r in records for s in r["spans"])
    assert list(local_temp_dir().iterdir()) == []  # the child's files are gone


def test_a_bad_span_in_the_second_half_fails_the_export_naming_it(corpus, settings, forks):
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 10
    last = Article.objects.get(external_id="n39")
    span = Span.objects.get(article=last, annotator=corpus.ann1)
    Span.objects.filter(pk=span.pk).update(text="XXXXXXXX")
    result = services.export_now(corpus.project, "jsonl", {})
    assert len(forks) == 1
    assert result.status == JobStatus.FAILED
    assert f"span #{span.pk}" in result.error and "'n39'" in result.error
    assert "XXXXXXXX" in result.error
    assert list(local_temp_dir().iterdir()) == []


def test_a_child_that_dies_fails_the_export(corpus, settings, forks, monkeypatch):
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 10
    monkeypatch.setattr(parallel.ForkedHalf, "_build", lambda self, *args: os._exit(3))
    result = services.export_now(corpus.project, "jsonl", {})
    assert len(forks) == 1
    assert result.status == JobStatus.FAILED
    assert "second half of the export stopped (exit status 3)" in result.error
    assert list(local_temp_dir().iterdir()) == []


def test_small_exports_and_other_formats_stay_in_one_process(corpus, settings, forks):
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 100
    export(corpus)
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 10
    export(corpus, "semeval")
    export(corpus, layer="each")
    assert forks == []


def test_without_a_process_to_fork_one_process_builds_it_all(corpus, settings, monkeypatch):
    settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES = 10
    split = export(corpus)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    fallback = export(corpus)
    assert contents(fallback)["articles.jsonl"] == contents(split)["articles.jsonl"]
    assert fallback.counts == split.counts
    assert list(local_temp_dir().iterdir()) == []
