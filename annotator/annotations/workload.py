"""The workload of a project's annotators: assignments by status, spans, last activity.

Read from WorkloadCount, which database triggers keep (``workload_sql``): one small query
whatever the project's size. ``counted_workload`` counts the same numbers from the rows
themselves (two grouped queries over the project); the tests compare the two, and
``rebuild_workload_counts`` refills the counts from it. Every annotator member is listed, even
with nothing yet, and so is anyone else with an assignment or a span in the project.
"""

from django.db import transaction
from django.db.models import Count, Max

from annotator.annotations.models import Span, WorkloadCount
from annotator.corpus.models import Assignment, AssignmentStatus, Membership, Project, Role

FIELDS = (*AssignmentStatus.values, "spans", "last_activity")


def _empty(user_id: int, username: str) -> dict:
    return (
        {"annotator": user_id, "username": username}
        | {status: 0 for status in AssignmentStatus.values}
        | {"total": 0, "spans": 0, "last_activity": None}
    )


def _members(project: Project) -> dict[int, dict]:
    return {
        user_id: _empty(user_id, username)
        for user_id, username in Membership.objects.filter(
            project=project, role=Role.ANNOTATOR
        ).values_list("user_id", "user__username")
    }


def project_workload(project: Project) -> list[dict]:
    """One row per annotator, by user name: ``annotator`` (id), ``username``, the count of
    each assignment status, ``total``, ``spans`` and ``last_activity`` (the latest change of
    one of their assignments or spans, or None)."""
    rows = _members(project)
    for values in WorkloadCount.objects.filter(project=project).values(
        "annotator_id", "annotator__username", *FIELDS
    ):
        if not any(values[f] for f in FIELDS) and values["annotator_id"] not in rows:
            continue  # everything of theirs was deleted and they are no annotator here
        row = rows.setdefault(
            values["annotator_id"], _empty(values["annotator_id"], values["annotator__username"])
        )
        row.update({f: values[f] for f in FIELDS})
        row["total"] = sum(values[s] for s in AssignmentStatus.values)
    return sorted(rows.values(), key=lambda entry: entry["username"])


def counted_workload(project: Project, assignments=Assignment, spans=Span) -> dict[int, dict]:
    """The counts from the rows themselves, by annotator id (no member rows added)."""
    rows: dict[int, dict] = {}
    for user_id, status, n, last in (
        assignments.objects.filter(article__project=project)
        .values_list("annotator_id", "status")
        .annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by()
    ):
        row = rows.setdefault(user_id, {f: 0 for f in FIELDS} | {"last_activity": None})
        row[status] = n
        row["last_activity"] = _later(row["last_activity"], last)
    for user_id, n, last in (
        spans.objects.filter(article__project=project, annotator__isnull=False)
        .values_list("annotator_id")
        .annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by()
    ):
        row = rows.setdefault(user_id, {f: 0 for f in FIELDS} | {"last_activity": None})
        row["spans"] = n
        row["last_activity"] = _later(row["last_activity"], last)
    return rows


def rebuild_workload_counts(counts=WorkloadCount, assignments=Assignment, spans=Span) -> None:
    """Refill every WorkloadCount from the rows (the migration that adds the triggers; a repair
    if the counts were ever edited by hand). The models are parameters for the migration's
    historical ones."""
    project_model = (
        assignments._meta.get_field("article")
        .related_model._meta.get_field("project")
        .related_model
    )
    with transaction.atomic():
        counts.objects.all().delete()
        counts.objects.bulk_create(
            counts(project_id=project.pk, annotator_id=user_id, **values)
            for project in project_model.objects.all()
            for user_id, values in counted_workload(project, assignments, spans).items()
        )


def _later(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
