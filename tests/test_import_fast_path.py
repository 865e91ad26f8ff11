"""The PostgreSQL import fast path: foreign-key triggers skipped, references checked by the import.

An opt-in (ANNOTATOR_IMPORT_FAST_PATH, ``import_articles --fast``): where it is asked for and
the role may set ``session_replication_role`` (the test database's superuser may), the COPYs run
without PostgreSQL's per-row foreign-key triggers; these tests show that the rows are the same
as on the checked path, that a bad file still stores nothing, that the setting does not outlive
the COPY, and that a span whose label no longer exists does not get in.
"""

import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from test_import_helpers import (  # noqa: F401  (fixtures)
    PHRASES,
    expected_spans,
    project_fixture,
    raw_span,
    raw_text_fixture,
    stored_spans,
)

from annotator.annotations.models import Span
from annotator.core.bulk import bulk_insert
from annotator.corpus.models import Article, Project
from annotator.imports import service
from annotator.imports.service import import_paths
from annotator.imports.sources import sources_for_path
from annotator.schemas.models import Label

on_postgresql = pytest.mark.postgres  # the fast path is PostgreSQL's


@pytest.fixture(autouse=True)
def fast_path_asked_for(settings):
    settings.ANNOTATOR_IMPORT_FAST_PATH = True


def write_articles(path, raw_text, count=5, bad_line=None):
    """``count`` articles with the Unicode/CRLF sample and one span per phrase; ``bad_line``
    (1-based) gets a span with an unknown label."""
    lines = []
    for n in range(1, count + 1):
        spans = [
            {"start": raw_span(raw_text, p)[0], "end": raw_span(raw_text, p)[1], "label": key}
            for key, p in PHRASES.items()
        ]
        if n == bad_line:
            spans[0]["label"] = "no_such_label"
        text = f"{n}: {raw_text}"
        for span in spans:
            span["start"] += len(f"{n}: ")
            span["end"] += len(f"{n}: ")
        lines.append(json.dumps({"id": f"a{n}", "title": f"T{n}", "text": text, "spans": spans}))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def replication_role():
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def rows(project):
    articles = sorted(
        Article.objects.filter(project=project).values_list(
            "external_id", "title", "text", "text_sha256", "metadata"
        )
    )
    spans = sorted(
        Span.objects.filter(article__project=project).values_list(
            "article__external_id",
            "annotator__username",
            "label_id",
            "start",
            "end",
            "text",
            "origin",
            "version",
        )
    )
    return articles, spans


def test_fast_path_rows_equal_the_checked_path(project, raw_text, tmp_path, monkeypatch):
    path = write_articles(tmp_path / "a.jsonl", raw_text)
    fast = import_paths(project, [path], annotator="alice", batch_size=2)
    assert fast.ok, fast.as_dict()
    assert fast.files[0].fast_path is (connection.vendor == "postgresql")

    other = Project.objects.create(slug="other", name="Other", schema=project.schema)
    monkeypatch.setattr(service, "foreign_key_checks_skippable", lambda *a, **k: False)
    checked = import_paths(other, [path], annotator="alice", batch_size=2)
    assert checked.ok
    assert checked.files[0].fast_path is False

    assert (fast.articles_created, fast.spans_created) == (5, 5 * len(PHRASES))
    assert rows(project) == rows(other)
    for article in Article.objects.filter(project=project):
        assert stored_spans(article) == expected_spans(raw_text)
    # The workload counts' triggers run on the fast path too (enabled ALWAYS).
    from annotator.annotations.models import WorkloadCount

    counts = {c.project_id: c.spans for c in WorkloadCount.objects.all()}
    assert counts == {project.pk: 5 * len(PHRASES), other.pk: 5 * len(PHRASES)}


@on_postgresql
def test_role_is_origin_after_an_import_and_after_a_failed_file(project, raw_text, tmp_path):
    good = import_paths(project, [write_articles(tmp_path / "good.jsonl", raw_text)], "alice")
    assert good.ok
    assert good.files[0].fast_path
    assert replication_role() == "origin"

    # batches of 2: articles 1-4 are COPYed (fast path) before line 5's error is read
    bad_path = write_articles(tmp_path / "bad.jsonl", raw_text, count=6, bad_line=5)
    other = Project.objects.create(slug="other", name="Other", schema=project.schema)
    bad = import_paths(other, [bad_path], annotator="alice", batch_size=2)
    assert not bad.ok
    assert bad.files[0].fast_path
    assert [(e.line, "no_such_label" in e.message) for e in bad.files[0].errors] == [(5, True)]
    assert not Article.objects.filter(project=other).exists()
    assert not Span.objects.filter(article__project=other).exists()
    assert replication_role() == "origin"


@on_postgresql
def test_check_constraints_run_on_the_fast_path_and_the_role_is_reset(project, raw_text, tmp_path):
    import_paths(project, [write_articles(tmp_path / "a.jsonl", raw_text, count=1)], "alice")
    article = Article.objects.get()
    row = (article.pk, None, Label.objects.get(key="doubt").pk, 5, 3, "x", "import")
    with pytest.raises(IntegrityError), transaction.atomic():  # start < end is a CHECK
        bulk_insert(Span, service.SPAN_FIELDS, [row], check_foreign_keys=False)
    assert replication_role() == "origin"
    assert not Span.objects.filter(start=5, end=3).exists()


@on_postgresql
def test_span_of_a_label_deleted_after_the_import_read_the_labels_is_refused(
    project, raw_text, tmp_path
):
    # The labels are read before the file's transaction; one is deleted before that starts.
    # Without triggers, only the import's own check stands between the span and the table.
    options, user = service._prepare(project, "alice", False, None)
    doubt = Label.objects.get(schema=project.schema, key="doubt")
    doubt_id = doubt.pk
    doubt.delete()
    (source,) = sources_for_path(write_articles(tmp_path / "a.jsonl", raw_text, count=1))

    report = service.import_source(project, source, options, user, fast=True)

    assert report.fast_path
    assert not report.ok
    (error,) = report.errors
    assert f"label id(s) [{doubt_id}] do not exist" in error.message
    assert "nothing stored" in error.message
    assert not Article.objects.exists()
    assert not Span.objects.exists()
    assert replication_role() == "origin"


def import_as_plain_role(project, path, grant_set_parameter=False):
    """Import as a new role that is not a superuser (created, and dropped, with the test's
    transaction), optionally granted SET on session_replication_role (PostgreSQL 15+)."""
    role = f"imp_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOSUPERUSER")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        if grant_set_parameter:
            cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        return import_paths(project, [path], annotator="alice")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@on_postgresql
def test_role_that_may_not_skip_triggers_takes_the_checked_path(project, raw_text, tmp_path):
    report = import_as_plain_role(project, write_articles(tmp_path / "a.jsonl", raw_text))
    assert report.ok, report.as_dict()
    assert report.files[0].fast_path is False
    assert report.spans_created == 5 * len(PHRASES)


@on_postgresql
def test_role_granted_set_on_the_parameter_takes_the_fast_path(project, raw_text, tmp_path):
    if connection.pg_version < 150000:
        pytest.skip("GRANT SET ON PARAMETER is PostgreSQL 15+")
    path = write_articles(tmp_path / "a.jsonl", raw_text)
    report = import_as_plain_role(project, path, grant_set_parameter=True)
    assert report.ok, report.as_dict()
    assert report.files[0].fast_path is True
    assert report.spans_created == 5 * len(PHRASES)
    assert replication_role() == "origin"


@on_postgresql
def test_without_the_opt_in_even_a_superuser_keeps_the_triggers(
    project, raw_text, tmp_path, settings
):
    settings.ANNOTATOR_IMPORT_FAST_PATH = False
    path = write_articles(tmp_path / "a.jsonl", raw_text)
    report = import_paths(project, [path], annotator="alice")
    assert report.ok
    assert report.files[0].fast_path is False
    other = Project.objects.create(slug="other", name="Other", schema=project.schema)
    asked = import_paths(other, [path], annotator="alice", fast=True)
    assert asked.ok
    assert asked.files[0].fast_path is True
    assert rows(project) == rows(other)


@on_postgresql
def test_import_articles_fast_asks_for_it_for_one_run(project, raw_text, tmp_path, settings):
    settings.ANNOTATOR_IMPORT_FAST_PATH = False
    path = write_articles(tmp_path / "a.jsonl", raw_text)
    out = io.StringIO()
    call_command(
        "import_articles", "--project", project.slug, "--annotator", "alice", path, stdout=out
    )
    assert "fast path" not in out.getvalue()
    other = Project.objects.create(slug="other", name="Other", schema=project.schema)
    out = io.StringIO()
    call_command(
        "import_articles",
        "--project",
        other.slug,
        "--annotator",
        "alice",
        "--fast",
        path,
        stdout=out,
    )
    assert "fast path: foreign-key triggers skipped" in out.getvalue()
    assert rows(project) == rows(other)
