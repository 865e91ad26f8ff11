"""The workload of a project's annotators: assignments by status, spans, last activity.

Two grouped queries (assignments, spans) over the project, whatever its size: no row per
article reaches Python. Everyone who has an assignment or a span in the project is listed, and
every annotator member even with nothing yet.
"""

from django.db.models import Count, Max

from annotator.annotations.models import Span
from annotator.corpus.models import Assignment, AssignmentStatus, Membership, Project, Role


def project_workload(project: Project) -> list[dict]:
    """One row per annotator, by user name: ``annotator`` (id), ``username``, the count of
    each assignment status, ``total``, ``spans`` and ``last_activity`` (the latest change of
    one of their assignments or spans, or None)."""
    rows: dict[int, dict] = {}

    def row(user_id: int, username: str) -> dict:
        return rows.setdefault(
            user_id,
            {"annotator": user_id, "username": username}
            | {status: 0 for status in AssignmentStatus.values}
            | {"total": 0, "spans": 0, "last_activity": None},
        )

    for user_id, username in Membership.objects.filter(
        project=project, role=Role.ANNOTATOR
    ).values_list("user_id", "user__username"):
        row(user_id, username)
    assignments = (
        Assignment.objects.filter(article__project=project)
        .values_list("annotator_id", "annotator__username", "status")
        .annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by()
    )
    for user_id, username, status, n, last in assignments:
        entry = row(user_id, username)
        entry[status] = n
        entry["total"] += n
        entry["last_activity"] = _later(entry["last_activity"], last)
    spans = (
        Span.objects.filter(article__project=project, annotator__isnull=False)
        .values_list("annotator_id", "annotator__username")
        .annotate(n=Count("pk"), last=Max("updated_at"))
        .order_by()
    )
    for user_id, username, n, last in spans:
        entry = row(user_id, username)
        entry["spans"] = n
        entry["last_activity"] = _later(entry["last_activity"], last)
    return sorted(rows.values(), key=lambda entry: entry["username"])


def _later(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
