"""The workload counts kept by triggers equal a plain count of the rows, after every kind of
write: creates, status updates (one and many), reassignment, span create/update/delete, bulk
inserts (COPY on PostgreSQL), deletes of articles, users and projects, label merges."""

import pytest
from api_helpers import World, client_for, make_span, make_user
from django.db import connection

from annotator.annotations.models import Span, WorkloadCount
from annotator.annotations.workload import (
    FIELDS,
    counted_workload,
    project_workload,
    rebuild_workload_counts,
)
from annotator.core.bulk import bulk_insert
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Project, Role

pytestmark = pytest.mark.django_db(transaction=True)


def stored(project) -> dict[int, dict]:
    return {
        row.annotator_id: {f: getattr(row, f) for f in FIELDS}
        for row in WorkloadCount.objects.filter(project=project)
    }


def assert_counts_match(*projects):
    for project in projects:
        expected = counted_workload(project)
        got = stored(project)
        for user_id, values in expected.items():
            counts = {f: v for f, v in values.items() if f != "last_activity"}
            assert {f: got[user_id][f] for f in counts} == counts, (project, user_id)
            assert got[user_id]["last_activity"] >= values["last_activity"]
        for user_id, values in got.items():
            if user_id not in expected:  # everything of theirs is gone
                assert all(values[f] == 0 for f in FIELDS if f != "last_activity")


def test_counts_follow_every_write(world: World):
    project, other = world.project, world.other_project
    assert_counts_match(project, other)
    label = world.span.label

    # One status change, many at once, a reassignment, a delete.
    client_for(world.annotator).post(f"/api/v1/articles/{world.article.pk}/complete/")
    articles = [
        Article.objects.create(project=project, external_id=f"w{i}", text="Some text.")
        for i in range(6)
    ]
    bulk_insert(
        Assignment, ["article_id", "annotator_id"], [(a.pk, world.annotator.pk) for a in articles]
    )
    Assignment.objects.filter(article__in=articles[:3]).update(status=AssignmentStatus.SKIPPED)
    assert_counts_match(project, other)
    moved = Assignment.objects.get(article=articles[0])
    moved.annotator = world.annotator2
    moved.save()
    Assignment.objects.filter(article=articles[1]).delete()
    assert_counts_match(project, other)

    # Spans: created one by one and by COPY, edited, deleted; gold spans are not counted.
    spans = [make_span(a, world.annotator, label, 0, 4) for a in articles[:2]]
    bulk_insert(
        Span,
        ["article_id", "annotator_id", "label_id", "start", "end", "text", "origin"],
        [(a.pk, world.annotator2.pk, label.pk, 5, 9, "text", "import") for a in articles],
    )
    make_span(articles[3], None, label, 0, 4)
    Span.objects.filter(pk=spans[0].pk).update(note="edited")
    spans[1].delete()
    assert_counts_match(project, other)

    # An article, a user, then a whole project go.
    articles[2].delete()
    newcomer = make_user("newcomer")
    Membership.objects.create(user=newcomer, project=project, role=Role.ANNOTATOR)
    Assignment.objects.create(article=articles[4], annotator=newcomer)
    assert_counts_match(project, other)
    newcomer.delete()
    assert_counts_match(project, other)
    Project.objects.filter(pk=other.pk).delete()
    assert not WorkloadCount.objects.filter(project_id=other.pk).exists()
    assert_counts_match(project)


def test_the_workload_table_reads_the_counts(world: World):
    rows = {row["username"]: row for row in project_workload(world.project)}
    assert set(rows) == {"ann", "ann2"}
    assert (rows["ann"]["todo"], rows["ann"]["total"], rows["ann"]["spans"]) == (1, 1, 1)
    WorkloadCount.objects.all().delete()  # as if the counts were lost: rebuilt from the rows
    assert project_workload(world.project)[0]["total"] == 0
    rebuild_workload_counts()
    assert {r["username"]: r for r in project_workload(world.project)} == rows


def test_every_trigger_survives_the_migrations():
    """A later migration that rebuilds a table (SQLite adds some columns so) drops its
    triggers; the counts would then silently stop following the spans."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    expected = {
        f"workload_{table}_{event}"
        for table in ("assignments", "spans")
        for event in ("insert", "update", "delete")
    }
    assert expected <= installed
