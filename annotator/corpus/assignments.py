"""Assignment of articles to annotators.

Plain functions called by the admin action, the API and management commands alike.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from annotator.core.bulk import bulk_insert
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Project, Role

User = get_user_model()


class AssignmentError(ValueError):
    """A request to assign articles that cannot be honoured; the message says why."""


def annotator_members(project: Project):
    """Users who may be assigned articles of ``project``: its members with the annotator role."""
    return User.objects.filter(
        memberships__project=project, memberships__role=Role.ANNOTATOR
    ).order_by("username")


def check_annotators(project: Project, annotators: Sequence) -> None:
    """Raise AssignmentError unless every user is an annotator member of ``project``."""
    roles = dict(
        Membership.objects.filter(project=project, user__in=annotators).values_list(
            "user_id", "role"
        )
    )
    problems = []
    for user in annotators:
        role = roles.get(user.pk)
        if role is None:
            problems.append(f"{user} is not a member of project {project.slug!r}")
        elif role != Role.ANNOTATOR:
            problems.append(f"{user} is a {role}, not an annotator, in project {project.slug!r}")
    if problems:
        raise AssignmentError("; ".join(problems) + ".")


def assign_round_robin(articles: Iterable[Article], annotators: Sequence, per_article: int) -> int:
    """Give each article ``per_article`` distinct annotators, balancing load; return rows created.

    Annotators are taken in the given order, cycling on: each article gets the least-loaded
    annotators not already on it, ties going to whoever comes next in the cycle. Load is the
    number of live (not skipped) assignments each annotator already has in the project, so
    repeated runs keep evening out. Existing live assignments count towards ``per_article``:
    running it again creates nothing, and an article whose annotator skipped it gets a new one.
    All rows are created in one transaction, or none.
    """
    annotators = list(annotators)
    if not annotators:
        raise AssignmentError("Choose at least one annotator.")
    if len({user.pk for user in annotators}) != len(annotators):
        raise AssignmentError("An annotator is listed more than once.")
    if per_article < 1:
        raise AssignmentError(f"Annotators per article must be at least 1 (got {per_article}).")
    if per_article > len(annotators):
        raise AssignmentError(
            f"Cannot give each article {per_article} distinct annotators: only "
            f"{len(annotators)} chosen."
        )
    if isinstance(articles, QuerySet):
        # A subquery, not a list of ids: no huge IN list, no article texts loaded.
        selected = Article.objects.filter(pk__in=articles.order_by().values("pk"))
    else:
        selected = Article.objects.filter(pk__in=[article.pk for article in articles])

    with transaction.atomic():
        # Lock the articles so that two concurrent runs over them cannot both fill the same slot.
        locked = list(selected.select_for_update().order_by("pk").values_list("pk", "project_id"))
        if not locked:
            return 0
        project_ids = {project_id for _, project_id in locked}
        if len(project_ids) > 1:
            slugs = sorted(
                Project.objects.filter(pk__in=project_ids).values_list("slug", flat=True)
            )
            raise AssignmentError(
                "The articles belong to several projects (" + ", ".join(slugs) + "); assign "
                "one project at a time."
            )
        project = Project.objects.get(pk=project_ids.pop())
        check_annotators(project, annotators)

        article_ids = [pk for pk, _ in locked]
        on_article: dict[int, set[int]] = {pk: set() for pk in article_ids}
        live: Counter[int] = Counter()
        existing = Assignment.objects.filter(article__in=selected).values_list(
            "article_id", "annotator_id", "status"
        )
        for article_id, annotator_id, status in existing.iterator(chunk_size=10_000):
            on_article[article_id].add(annotator_id)
            if status != AssignmentStatus.SKIPPED:
                live[article_id] += 1
        load = Counter(
            dict(
                Assignment.objects.filter(article__project=project, annotator__in=annotators)
                .exclude(status=AssignmentStatus.SKIPPED)
                .order_by()
                .values_list("annotator_id")
                .annotate(n=Count("pk"))
                .values_list("annotator_id", "n")
            )
        )

        positions = {user.pk: i for i, user in enumerate(annotators)}
        cursor = 0
        new = []  # (article_id, annotator_id)
        for article_id in article_ids:
            needed = per_article - live[article_id]
            candidates = [user for user in annotators if user.pk not in on_article[article_id]]
            candidates.sort(
                key=lambda u: (load[u.pk], (positions[u.pk] - cursor) % len(annotators))
            )
            for user in candidates[: max(needed, 0)]:
                new.append((article_id, user.pk))
                load[user.pk] += 1
                cursor = (positions[user.pk] + 1) % len(annotators)
        bulk_insert(Assignment, ["article_id", "annotator_id"], new)
    return len(new)


def next_article_id(project: Project, user) -> int | None:
    """The user's next article in ``project``: in progress first, then to do, by article id
    (with active ordering: the articles the current model is least certain about first, those
    it has not scored last); none in an archived project. Only the user's own open assignments
    are candidates, whatever the order."""
    if project.archived_at is not None:
        return None
    order: list = ["rank", "article_id"]
    if project.active_ordering:
        order.insert(1, F("article__uncertainty").desc(nulls_last=True))
    return (
        Assignment.objects.filter(
            article__project=project,
            annotator_id=user.pk,
            status__in=[AssignmentStatus.IN_PROGRESS, AssignmentStatus.TODO],
        )
        .annotate(
            rank=Case(
                When(status=AssignmentStatus.IN_PROGRESS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by(*order)
        .values_list("article_id", flat=True)
        .first()
    )


@contextmanager
def _annotator_errors(annotator) -> Iterator[None]:
    """An annotator who may not take the article, or has it already: a 400 on ``annotator``."""
    try:
        yield
    except AssignmentError as error:
        raise ValidationError({"annotator": [str(error)]}) from None
    except IntegrityError:
        raise ValidationError(
            {"annotator": [f"{annotator} is already assigned this article."]}
        ) from None


def assignment_create(*, article: Article, annotator) -> Assignment:
    """Assign ``article`` to one more annotator (a member with the annotator role)."""
    with _annotator_errors(annotator):
        check_annotators(article.project, [annotator])
        with transaction.atomic():
            return Assignment.objects.create(article=article, annotator=annotator)


def assignment_set_own_status(*, article: Article, user, status: str) -> bool:
    """The user ends their own assignment (done or skipped); False if they have none here."""
    mine = Assignment.objects.filter(article_id=article.pk, annotator_id=user.pk)
    return bool(mine.update(status=status))


def assign_articles(
    project: Project, articles: QuerySet, *, usernames: Sequence[str] | None, per_article: int
) -> int:
    """Round-robin over ``articles`` of ``project`` (a filtered queryset), to the named
    annotators or, without names, to every annotator member; ValidationErrors name the field."""
    if usernames is not None:
        if not usernames:
            raise ValidationError({"annotators": ["Choose at least one annotator."]})
        users = {u.get_username(): u for u in User.objects.filter(username__in=list(usernames))}
        unknown = [name for name in usernames if name not in users]
        if unknown:
            raise ValidationError({"annotators": [f"No user {', '.join(map(repr, unknown))}."]})
        annotators = [users[name] for name in usernames]
    else:
        annotators = list(annotator_members(project))
        if not annotators:
            raise ValidationError(
                {"annotators": ["The project has no annotators yet: add members first."]}
            )
    if per_article > len(annotators):
        raise ValidationError(
            {
                "per_article": [
                    f"Each article needs {per_article} distinct annotators; only "
                    f"{len(annotators)} to choose from."
                ]
            }
        )
    try:
        return assign_round_robin(articles.filter(project=project), annotators, per_article)
    except AssignmentError as error:
        raise ValidationError({"annotators": [str(error)]}) from None


def assignment_reassign(*, assignment: Assignment, annotator) -> Assignment:
    """Give the article to another annotator instead (to do again); the first one's spans
    stay in their own layer."""
    if annotator.pk == assignment.annotator_id:
        return assignment
    with _annotator_errors(annotator):
        check_annotators(assignment.article.project, [annotator])
        with transaction.atomic():
            assignment.annotator = annotator
            assignment.status = AssignmentStatus.TODO
            assignment.save(update_fields=["annotator", "status", "updated_at"])
    return assignment


def assignment_reopen_own(*, article: Article, user) -> bool:
    """The user takes up again an article they finished or skipped (in progress: it comes
    first in their queue); False if they have no assignment of it."""
    mine = Assignment.objects.filter(article_id=article.pk, annotator_id=user.pk)
    return bool(mine.update(status=AssignmentStatus.IN_PROGRESS, updated_at=timezone.now()))
