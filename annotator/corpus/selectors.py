"""Reads of a project's articles for managers and reviewers: the filters of the article list
(the API and the console share them), and the import batches to filter by."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from annotator.core.params import MAX_ID, parse_id
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Project

UNASSIGNED = "unassigned"
MAX_IDS = 10_000  # articles picked by hand in one request
ASSIGNMENT_STATUSES = [*AssignmentStatus.values, UNASSIGNED]


@dataclass(frozen=True)
class ArticleFilter:
    """What a manager narrows the article list to; every field optional.

    ``assignment_status`` and ``annotator`` look at the same assignment row: "annotator alice"
    with "done" means alice's assignment is done, not that some assignment is done and alice
    has another one. ``unassigned``: articles nobody is assigned (``annotator`` is ignored).
    """

    q: str = ""
    assignment_status: str = ""
    annotator: int | None = None
    batch: str | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def from_params(cls, params) -> "ArticleFilter":
        """From query parameters or a JSON object; a ValidationError names a bad one."""
        status = (params.get("assignment_status") or "").strip()
        if status and status not in ASSIGNMENT_STATUSES:
            raise ValidationError(
                {"assignment_status": [f"Use one of {', '.join(ASSIGNMENT_STATUSES)}."]}
            )
        annotator = params.get("annotator")
        annotator_id = None
        if annotator not in (None, ""):
            annotator_id = _id(annotator)
            if annotator_id is None:
                raise ValidationError({"annotator": ["Give the annotator's user id."]})
        ids = params.get("ids") or ()
        if isinstance(ids, str):
            ids = [part for part in ids.split(",") if part]
        if not isinstance(ids, list | tuple) or len(ids) > MAX_IDS:
            raise ValidationError({"ids": [f"A list of at most {MAX_IDS} article ids."]})
        parsed = [_id(i) for i in ids]
        if None in parsed:
            raise ValidationError({"ids": ["A list of article ids (whole numbers)."]})
        batch = params.get("batch")
        if batch is not None and not isinstance(batch, str):
            raise ValidationError({"batch": ["A batch name."]})
        q = params.get("q") or ""
        if not isinstance(q, str):
            raise ValidationError({"q": ["Text to search for."]})
        return cls(
            q=q.strip(),
            assignment_status=status,
            annotator=annotator_id,
            batch=batch,
            ids=tuple(i for i in parsed if i is not None),
        )

    def apply(self, articles: QuerySet) -> QuerySet:
        if self.q:
            articles = articles.filter(
                Q(title__icontains=self.q) | Q(external_id__icontains=self.q)
            )
        if self.batch is not None:
            articles = articles.filter(batch=self.batch)
        if self.ids:
            articles = articles.filter(pk__in=self.ids)
        if self.assignment_status == UNASSIGNED:
            return articles.filter(~Exists(Assignment.objects.filter(article=OuterRef("pk"))))
        conditions: dict[str, object] = {}
        if self.assignment_status:
            conditions["status"] = self.assignment_status
        if self.annotator is not None:
            conditions["annotator_id"] = self.annotator
        if conditions:
            articles = articles.filter(
                Exists(Assignment.objects.filter(article=OuterRef("pk"), **conditions))
            )
        return articles


def _id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    return parse_id(value) if isinstance(value, str) else None


def project_articles(project: Project, filters: ArticleFilter = ArticleFilter()) -> QuerySet:
    """The project's articles matching ``filters``, by id, without their texts."""
    articles = Article.objects.filter(project=project).defer("text", "original_text", "metadata")
    return filters.apply(articles).order_by("pk")


def articles_by_id(ids: list[int], queryset: QuerySet) -> list[Article]:
    """The rows of ``queryset`` with these ids, in the ids' order: the second half of a
    "deferred join" (a page of ids is taken from an index, then only its rows are read)."""
    found = queryset.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


MAX_BATCHES = 1000

# One index probe per batch along (project_id, batch) (a "loose index scan"), instead of
# grouping every article of the project: on 100,000 articles in 4 batches, 166 ms -> 1 ms on
# PostgreSQL (bench/console.py). MIN() over an index range is a probe on both PostgreSQL and
# SQLite.
BATCHES_SQL = """
WITH RECURSIVE batches(name, n) AS (
    SELECT (SELECT MIN(batch) FROM corpus_article WHERE project_id = %(project)s AND batch > ''), 1
    UNION ALL
    SELECT (SELECT MIN(batch) FROM corpus_article
            WHERE project_id = %(project)s AND batch > batches.name), n + 1
    FROM batches WHERE batches.name IS NOT NULL AND n < %(limit)s
)
SELECT name FROM batches WHERE name IS NOT NULL
"""


def project_batches(project: Project) -> list[str]:
    """The names of the project's import batches, in order (at most MAX_BATCHES)."""
    with connection.cursor() as cursor:
        cursor.execute(BATCHES_SQL, {"project": project.pk, "limit": MAX_BATCHES})
        return [row[0] for row in cursor.fetchall()]


def assignments_of(article_ids) -> dict[int, list[Assignment]]:
    """The assignments of these articles, with their annotators, by article id."""
    rows: dict[int, list[Assignment]] = {pk: [] for pk in article_ids}
    for assignment in (
        Assignment.objects.filter(article_id__in=list(rows))
        .select_related("annotator")
        .order_by("annotator__username", "pk")
    ):
        rows[assignment.article_id].append(assignment)
    return rows
