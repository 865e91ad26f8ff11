"""Progress of a project's annotation: assignments by status, for a user or for everyone."""

from django.db.models import Count

from annotator.corpus.models import Assignment, AssignmentStatus


def _counts(assignments) -> dict:
    counts = dict.fromkeys(AssignmentStatus.values, 0)
    counts.update(assignments.values_list("status").annotate(n=Count("id")).order_by())
    counts["total"] = sum(counts.values())
    return counts


def project_progress(project, user, *, everyone: bool, per_annotator: bool) -> dict:
    """``mine`` always; ``all`` with ``everyone``; ``by_annotator`` with ``per_annotator``."""
    assignments = Assignment.objects.filter(article__project=project)
    progress = {
        "articles": project.articles.count(),
        "mine": _counts(assignments.filter(annotator_id=user.pk)),
    }
    if everyone:
        progress["all"] = _counts(assignments)
    if per_annotator:
        rows: dict[int, dict] = {}
        for annotator_id, username, status, n in (
            assignments.values_list("annotator_id", "annotator__username", "status")
            .annotate(n=Count("id"))
            .order_by("annotator__username")
        ):
            row = rows.setdefault(
                annotator_id,
                {"annotator": annotator_id, "username": username}
                | {s: 0 for s in AssignmentStatus.values},
            )
            row[status] = n
        for row in rows.values():
            row["total"] = sum(row[s] for s in AssignmentStatus.values)
        progress["by_annotator"] = list(rows.values())
    return progress
