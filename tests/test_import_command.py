"""manage.py import_articles: its output and exit status; the bulk-insert helper underneath."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext
from test_import_helpers import (  # noqa: F401  (fixtures)
    DATA,
    keep_connection_fixture,
    project_fixture,
)
from test_import_helpers import run_import_command as run

from annotator.annotations.models import Span
from annotator.core import bulk
from annotator.core.bulk import bulk_insert
from annotator.corpus.models import Article


def test_command_imports_and_prints_a_summary_per_file(project, capsys):
    status = run(
        "--project",
        "news",
        "--annotator",
        "carol",
        DATA / "articles.jsonl",
        DATA / "doccano_label.jsonl",
    )

    out = capsys.readouterr().out
    assert status == 0
    assert f"{DATA / 'articles.jsonl'}: 2 article(s), 1 span(s), 0 image(s) created" in out
    assert f"{DATA / 'doccano_label.jsonl'}: 1 article(s), 2 span(s)" in out
    assert "Total: 3 article(s), 3 span(s) created, 0 duplicate(s) skipped." in out
    assert Span.objects.filter(annotator__username="carol").count() == 3


def test_command_reports_duplicates_on_reimport(project, capsys):
    assert run("--project", "news", "--annotator", "carol", DATA / "articles.jsonl") == 0
    assert run("--project", "news", "--annotator", "carol", DATA / "articles.jsonl") == 0

    out = capsys.readouterr().out
    assert "2 duplicate(s) skipped (a1, a2)" in out
    assert Article.objects.count() == 2


def test_command_fails_naming_the_file_and_line(project, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "ok"}\n{"id": "2", "text": 5}\n', "utf-8")

    status = run("--project", "news", "--annotator", "carol", DATA / "articles.jsonl", bad)

    captured = capsys.readouterr()
    assert status == 1
    assert f"{bad}: FAILED, nothing stored; 1 error(s)" in captured.out
    assert f"{bad}, line 2: 'text' must be a non-empty string" in captured.out
    assert f"1 file(s) failed, nothing stored from: {bad}" in captured.err
    # the good file before it was still imported, the bad one not at all
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a1", "a2"]


def test_command_unknown_project(project):
    with pytest.raises(CommandError, match="no project with slug 'nope'"):
        call_command("import_articles", "--project", "nope", str(DATA / "articles.jsonl"))


def test_command_utf16_flag(project, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": 1, "text": "🔥 hot take", "label": [[3, 11, "doubt"]]}\n', "utf-8")

    call_command(
        "import_articles", "--project", "news", "--annotator", "d", "--utf16-offsets", str(path)
    )

    assert Span.objects.get().text == "hot take"


def test_bulk_insert_returns_ids_in_order_and_fills_defaults(project):
    ids = bulk_insert(
        Article,
        ["project_id", "external_id", "text", "text_sha256", "metadata"],
        [(project.pk, f"b{i}", f"text {i}", "0" * 64, {"i": i, "é": "🔥"}) for i in range(3)],
        return_ids=True,
    )

    articles = Article.objects.filter(pk__in=ids).order_by("pk")
    assert [a.pk for a in articles] == ids
    assert [(a.external_id, a.metadata) for a in articles] == [
        (f"b{i}", {"i": i, "é": "🔥"}) for i in range(3)
    ]
    assert all(a.created_at is not None and a.title == "" for a in articles)
    assert bulk_insert(Article, ["project_id"], [], return_ids=True) == []


@pytest.mark.postgres
def test_bulk_insert_uses_copy_on_postgresql(project, monkeypatch):
    def no_bulk_create(*args):
        raise AssertionError("bulk_create used on PostgreSQL")

    monkeypatch.setattr(bulk, "_bulk_create", no_bulk_create)
    rows = [(project.pk, f"c{i}", "tab\there\nnew line \\ 🔥", "0" * 64) for i in range(50)]
    ids = bulk.bulk_insert(
        Article, ["project_id", "external_id", "text", "text_sha256"], rows, return_ids=True
    )
    texts = dict(Article.objects.filter(pk__in=ids).values_list("pk", "text"))
    assert texts == {pk: "tab\there\nnew line \\ 🔥" for pk in ids}


def test_bulk_insert_keeps_no_values_in_the_debug_query_log(project):
    """With DEBUG on (the embedded default) Django logs every query; the texts of a bulk load
    must not pile up there (a 10,000-article import once held 240 MB of them)."""
    text = "Protecting\u00a0ISIS 👨‍👩‍👧 " * 200
    rows = [(project.pk, f"q{i}", text, "0" * 64) for i in range(100)]
    with CaptureQueriesContext(connections["default"]) as log:  # logs as DEBUG does
        bulk_insert(Article, ["project_id", "external_id", "text", "text_sha256"], rows)
    assert Article.objects.filter(text=text).count() == 100
    assert sum(len(query["sql"]) for query in log.captured_queries) < 10 * len(text)


def test_bulk_insert_never_reuses_ids_of_deleted_rows(project):
    fields = ["project_id", "external_id", "text", "text_sha256"]
    first = bulk_insert(
        Article, fields, [(project.pk, f"d{i}", "t", "0" * 64) for i in range(3)], return_ids=True
    )
    Article.objects.filter(pk=first[-1]).delete()

    second = bulk_insert(Article, fields, [(project.pk, "d9", "t", "0" * 64)], return_ids=True)

    assert second[0] > first[-1]
    assert Article.objects.get(pk=second[0]).external_id == "d9"
