"""Who may see and change what in a project: the roles, enforced for the API and the pages.

Every lookup resolves the object together with the caller's role in its project in one query,
then applies the rules. Objects the caller must not know about (projects they are not in,
articles not assigned to an annotator, other annotators' spans) answer 404, not 403; a role that
is known to the caller but does not allow the action (a researcher reading articles, a reviewer
administering the project) answers 403.
"""

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from rest_framework.exceptions import NotFound, PermissionDenied

from annotator.core.queries import only_row
from annotator.corpus.models import Article, Membership, Project, Role

STAFF = "staff"  # the effective role of a superuser, who is allowed everything
MANAGERS = {Role.MANAGER, STAFF}  # administer their projects
CURATORS = {Role.REVIEWER, Role.MANAGER, STAFF}  # read every layer of their projects
# Read a project's data as a whole (exports, agreement, statistics); annotators are blind to
# each other, so they are not among them.
DATA_READERS = {Role.RESEARCHER, Role.REVIEWER, Role.MANAGER, STAFF}


def _role_subquery(user, project_ref: str):
    return Subquery(
        Membership.objects.filter(user_id=user.pk, project_id=OuterRef(project_ref)).values("role")[
            :1
        ]
    )


def effective_role(user, role: str | None) -> str | None:
    return STAFF if user.is_superuser else role


def visible_projects(user):
    """Projects the user belongs to (every project for a superuser), annotated with ``my_role``."""
    projects = Project.objects.annotate(my_role=_role_subquery(user, "pk"))  # type: ignore[no-redef]  # the annotation fills the declared attribute
    if user.is_superuser:
        return projects
    return projects.filter(memberships__user_id=user.pk)


def get_project(user, slug: str, roles=None) -> Project:
    """The project with ``my_role`` set (``staff`` for superusers); 404 unless the user is in
    it, and, given ``roles``, holds one of them (existence does not leak to other roles)."""
    project = only_row(visible_projects(user).select_related("schema").filter(slug=slug))
    if project is not None:
        project.my_role = effective_role(user, project.my_role)
    if project is None or (roles is not None and project.my_role not in roles):
        raise NotFound(f"No project {slug!r} among your projects.")
    return project


def get_data_project(user, slug: str) -> Project:
    """The project, for one of its DATA_READERS (exports, agreement, statistics); else 404."""
    return get_project(user, slug, roles=DATA_READERS)


def require_role(obj, roles, action: str) -> None:
    if obj.my_role not in roles:
        raise PermissionDenied(f"Your role ({obj.my_role}) does not allow you to {action}.")


def require_manager(obj, action: str = "administer this project") -> None:
    require_role(obj, MANAGERS, action)


def with_access(queryset, user, article: str):
    """Annotate ``my_role`` and ``my_status`` through the article at path ``article``.

    LEFT JOINs on the user's (unique) membership and assignment: cheaper to build and to run
    than correlated subqueries, on the hot path of every span write.
    """
    prefix = f"{article}__" if article else ""
    return queryset.annotate(
        _membership=FilteredRelation(
            f"{prefix}project__memberships",
            condition=Q(**{f"{prefix}project__memberships__user_id": user.pk}),
        ),
        _assignment=FilteredRelation(
            f"{prefix}assignments", condition=Q(**{f"{prefix}assignments__annotator_id": user.pk})
        ),
    ).annotate(my_role=F("_membership__role"), my_status=F("_assignment__status"))


def articles_with_access(user):
    """Articles annotated with the user's role in their project and their own assignment status."""
    return with_access(Article.objects.select_related("project"), user, "")


def check_article_access(user, article: Article) -> Article:
    """Apply the read rules to an article from :func:`articles_with_access`."""
    article.my_role = effective_role(user, article.my_role)
    role = article.my_role
    if role is None or (role == Role.ANNOTATOR and article.my_status is None):
        raise NotFound("No such article among those assigned to you.")
    if role == Role.RESEARCHER:
        raise PermissionDenied("Researchers see project statistics and exports only.")
    return article


def get_article(user, article_id, queryset=None) -> Article:
    """The article with ``my_role``/``my_status``; 404/403 as the roles say."""
    queryset = articles_with_access(user) if queryset is None else queryset
    article = only_row(queryset.filter(pk=article_id))
    if article is None:
        raise NotFound("No such article among those assigned to you.")
    return check_article_access(user, article)
