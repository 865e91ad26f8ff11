"""Project, membership, article and assignment endpoints.

Access is resolved by annotator.corpus.permissions (404 for what the caller must not know about,
403 for what their role does not allow); business rules live in services (assignments, the
import service, progress), so the API, the CLI and tasks behave the same.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.pagination import DefaultPagination
from annotator.core.parsers import LimitedJSONParser
from annotator.core.serializers import ERRORS, ErrorSerializer, validated
from annotator.corpus import services
from annotator.corpus.assignments import (
    assignment_create,
    assignment_reassign,
    assignment_reopen_own,
    assignment_set_own_status,
    next_article_id,
)
from annotator.corpus.models import (
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Role,
)
from annotator.corpus.permissions import (
    CURATORS,
    MANAGERS,
    STAFF,
    articles_with_access,
    effective_role,
    get_article,
    get_project,
    require_manager,
    require_role,
    visible_projects,
)
from annotator.corpus.progress import project_progress
from annotator.corpus.projects import can_create_projects, project_create, project_update
from annotator.corpus.selectors import (
    ArticleFilter,
    articles_by_id,
    assignments_of,
    project_articles,
)
from annotator.corpus.serializers import (
    ActionResultSerializer,
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleListSerializer,
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AssignmentUpdateSerializer,
    CuratorArticleListSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    UnlockResultSerializer,
)

READ_ARTICLES = {Role.ANNOTATOR, Role.REVIEWER, Role.MANAGER, STAFF}


# --- projects -----------------------------------------------------------------------------


ARCHIVED = {"false": False, "true": True, "all": None}


class ProjectList(APIView):
    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "archived",
                OpenApiTypes.STR,
                enum=list(ARCHIVED),
                description="Archived projects too (all), or only them (true).",
            ),
        ],
        responses={200: ProjectSerializer(many=True)},
        summary="Your projects (not archived ones, unless asked)",
    )
    def get(self, request):
        archived = request.query_params.get("archived", "false")
        if archived not in ARCHIVED:
            raise ValidationError({"archived": [f"Use one of {', '.join(ARCHIVED)}."]})
        projects = visible_projects(request.user).order_by("name", "pk")
        if ARCHIVED[archived] is not None:
            projects = projects.filter(archived_at__isnull=not ARCHIVED[archived])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(projects, request, view=self) or []
        for project in page:
            project.my_role = effective_role(request.user, project.my_role)
        return paginator.get_paginated_response(ProjectSerializer(page, many=True).data)

    @extend_schema(
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer, **ERRORS},
        summary="Create a project (staff, or the 'create project' permission); you manage it",
    )
    def post(self, request):
        if not can_create_projects(request.user):
            raise PermissionDenied(
                "Creating projects needs the 'create project' permission (ask an admin)."
            )
        data = validated(ProjectCreateSerializer, request.data)
        project = project_create(user=request.user, data=data, schema_source=data["schema"])
        return Response(_project_detail(request, project.slug), status=status.HTTP_201_CREATED)


def _project_detail(request, slug) -> dict:
    project = get_project(request.user, slug)
    project.progress = project_progress(
        project,
        request.user,
        everyone=project.my_role in CURATORS | {Role.RESEARCHER},
        per_annotator=project.my_role in CURATORS,
    )
    return ProjectDetailSerializer(project).data


class ProjectDetail(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        responses={200: ProjectDetailSerializer, **ERRORS},
        summary="A project: your role, labels, guidelines and progress",
    )
    def get(self, request, slug):
        return Response(_project_detail(request, slug))

    @extend_schema(
        request=ProjectUpdateSerializer,
        responses={200: ProjectDetailSerializer, **ERRORS},
        summary="Managers: change the project's settings, archive or restore it",
    )
    def patch(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "change the project's settings")
        project_update(project=project, data=validated(ProjectUpdateSerializer, request.data))
        return Response(_project_detail(request, slug))


class MemberList(APIView):
    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(responses={200: MembershipSerializer(many=True), **ERRORS})
    def get(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "see the project's members")
        paginator = self.pagination_class()
        members = project.memberships.select_related("user").order_by("user__username", "pk")
        page = paginator.paginate_queryset(members, request, view=self)
        return paginator.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(
        request=MembershipCreateSerializer, responses={201: MembershipSerializer, **ERRORS}
    )
    def post(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "add members")
        data = validated(MembershipCreateSerializer, request.data)
        membership = services.membership_add(
            project=project, username=data["username"], role=data["role"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


def _membership(request, slug, pk):
    project = get_project(request.user, slug)
    require_manager(project, "change members")
    membership = project.memberships.select_related("user").filter(pk=pk).first()
    if membership is None:
        raise NotFound("No such membership in this project.")
    return membership


class MemberDetail(APIView):
    @extend_schema(request=MembershipSerializer, responses={200: MembershipSerializer, **ERRORS})
    def patch(self, request, slug, pk):
        membership = _membership(request, slug, pk)
        serializer = MembershipSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        role = serializer.validated_data.get("role", membership.role)
        services.membership_set_role(membership=membership, role=role)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, slug, pk):
        services.membership_remove(membership=_membership(request, slug, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberUnlock(APIView):
    @extend_schema(request=None, responses={200: UnlockResultSerializer, **ERRORS})
    def post(self, request, slug, pk):
        """Lift a login lockout of this member (too many failed logins)."""
        membership = _membership(request, slug, pk)
        removed = services.membership_unlock(membership=membership)
        return Response({"username": membership.user.get_username(), "cleared": removed})


# --- articles -----------------------------------------------------------------------------


class ArticleList(APIView):
    pagination_class = DefaultPagination  # also tells the schema that the list is paged
    parser_classes = [LimitedJSONParser]

    @property
    def max_json_bytes(self):
        # Whole articles are bigger than span writes.
        return settings.API_MAX_ARTICLE_BYTES

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=AssignmentStatus.values,
                description="Your assignment's status.",
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description="Search title and external id."),
            OpenApiParameter(
                "assignment_status",
                OpenApiTypes.STR,
                enum=[*AssignmentStatus.values, "unassigned"],
                description="Reviewers, managers: anyone's assignment in this "
                "status (with annotator: theirs), or nobody assigned.",
            ),
            OpenApiParameter(
                "annotator",
                OpenApiTypes.INT,
                description="Reviewers, managers: articles assigned to this user id.",
            ),
            OpenApiParameter("batch", OpenApiTypes.STR, description="An import batch."),
        ],
        responses={200: CuratorArticleListSerializer(many=True), **ERRORS},
        summary="Articles of a project (annotators: those assigned to them; reviewers and "
        "managers: with every assignment)",
    )
    def get(self, request, slug):
        project = get_project(request.user, slug)
        require_role(project, READ_ARTICLES, "read articles")
        wanted = request.query_params.get("status")
        if wanted and wanted not in AssignmentStatus.values:
            raise ValidationError({"status": [f"Use one of {', '.join(AssignmentStatus.values)}."]})
        if project.my_role not in CURATORS:
            return self._assigned(request, project, wanted)
        articles = project_articles(project, ArticleFilter.from_params(request.query_params))
        if wanted:
            articles = articles.filter(
                assignments__annotator_id=request.user.pk, assignments__status=wanted
            )
        paginator = self.pagination_class()
        # Pages of ids, then the page's rows (a deferred join): a deep page walks an index only.
        ids = paginator.paginate_queryset(articles.values_list("pk", flat=True), request, self)
        page = articles_by_id(ids or [], articles)
        rows = assignments_of(ids or [])
        for article in page:
            article.project = project  # known: no query per row for its slug
            article.assignment_rows = rows[article.pk]
            mine = [a for a in rows[article.pk] if a.annotator_id == request.user.pk]
            article.my_status = mine[0].status if mine else None
        return paginator.get_paginated_response(CuratorArticleListSerializer(page, many=True).data)

    def _assigned(self, request, project, wanted):
        """An annotator's own articles (search, batch and their status filter only)."""
        filters = ArticleFilter.from_params(request.query_params)
        mine = {"assignments__annotator_id": request.user.pk}
        if wanted:  # the same assignment: theirs, in that status
            mine["assignments__status"] = wanted
        articles = ArticleFilter(q=filters.q, batch=filters.batch).apply(
            articles_with_access(request.user)
            .filter(project=project, **mine)
            .defer("text", "original_text", "metadata")
            .order_by("pk")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(articles, request, view=self)
        return paginator.get_paginated_response(ArticleListSerializer(page, many=True).data)

    @extend_schema(
        request=ArticleCreateSerializer,
        responses={201: ArticleDetailSerializer, **ERRORS, 413: ErrorSerializer},
        summary="Managers: add an article (files: POST projects/<slug>/imports/)",
    )
    def post(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "add articles")
        data = validated(ArticleCreateSerializer, request.data)
        article = services.article_create(project=project, data=data)
        article.my_status = None
        return Response(ArticleDetailSerializer(article).data, status=status.HTTP_201_CREATED)


class NextArticle(APIView):
    @extend_schema(
        responses={200: ArticleDetailSerializer, 204: None, **ERRORS},
        summary="Your next article to annotate (in progress first, then to do); 204 if none",
    )
    def get(self, request, slug):
        project = get_project(request.user, slug)
        require_role(project, READ_ARTICLES, "annotate")
        article_id = next_article_id(project, request.user)
        if article_id is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ArticleDetailSerializer(_article_detail(request.user, article_id)).data)


def _article_detail(user, pk):
    queryset = articles_with_access(user).prefetch_related(
        Prefetch("images", queryset=ArticleImage.objects.order_by("order", "pk"))
    )
    return get_article(user, pk, queryset)


class ArticleDetail(APIView):
    @extend_schema(responses={200: ArticleDetailSerializer, **ERRORS}, summary="An article")
    def get(self, request, pk):
        return Response(ArticleDetailSerializer(_article_detail(request.user, pk)).data)


class ImageFile(APIView):
    """An article's uploaded image, to whoever may read the article. Media are never served
    publicly: an export or an image under a guessable name is not a download for anyone."""

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, "the image file"),
            302: OpenApiResponse(description="A short-lived signed URL (S3 storage)."),
            **ERRORS,
        },
        summary="An article's image file",
    )
    def get(self, request, pk):
        image = ArticleImage.objects.select_related("article").filter(pk=pk).first()
        if image is None or not image.file:
            raise NotFound("No such image file.")
        get_article(request.user, image.article_id)  # 404/403 as for the article itself
        try:
            image.file.path  # noqa: B018  (local storage has a path; S3 has signed URLs)
        except NotImplementedError:
            return HttpResponseRedirect(image.file.url)
        return FileResponse(image.file.open("rb"))


class _AssignmentAction(APIView):
    new_status: str

    @extend_schema(request=None, responses={200: ActionResultSerializer, **ERRORS})
    def post(self, request, pk):
        article = get_article(request.user, pk)
        if not assignment_set_own_status(
            article=article, user=request.user, status=self.new_status
        ):
            raise NotFound("This article is not assigned to you.")
        return Response(
            {
                "article": article.pk,
                "status": self.new_status,
                "next": next_article_id(article.project, request.user),
            }
        )


class CompleteArticle(_AssignmentAction):
    """Mark your assignment done."""

    new_status = AssignmentStatus.DONE


class SkipArticle(_AssignmentAction):
    """Skip the article (a manager can give it to someone else)."""

    new_status = AssignmentStatus.SKIPPED


class ReopenArticle(APIView):
    @extend_schema(
        request=None,
        responses={200: ActionResultSerializer, **ERRORS},
        summary="Take up again an article you marked done or skipped (in progress)",
    )
    def post(self, request, pk):
        article = get_article(request.user, pk)
        if not assignment_reopen_own(article=article, user=request.user):
            raise NotFound("This article is not assigned to you.")
        return Response(
            {"article": article.pk, "status": AssignmentStatus.IN_PROGRESS, "next": article.pk}
        )


# --- assignments --------------------------------------------------------------------------


class ArticleAssignments(APIView):
    def _article(self, request, pk):
        article = get_article(request.user, pk)
        require_manager(article, "manage assignments")
        return article

    @extend_schema(responses={200: AssignmentSerializer(many=True), **ERRORS})
    def get(self, request, pk):
        article = self._article(request, pk)
        rows = article.assignments.select_related("annotator").order_by("pk")
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(
        request=AssignmentCreateSerializer, responses={201: AssignmentSerializer, **ERRORS}
    )
    def post(self, request, pk):
        article = self._article(request, pk)
        username = validated(AssignmentCreateSerializer, request.data)["annotator"]
        user = services.user_by_name(username, field="annotator")
        assignment = assignment_create(article=article, annotator=user)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentDetail(APIView):
    def _assignment(self, request, pk):
        assignment = (
            Assignment.objects.select_related("article__project", "annotator").filter(pk=pk).first()
        )
        if assignment is None:
            raise NotFound("No such assignment.")
        role = effective_role(
            request.user,
            Membership.objects.filter(
                user_id=request.user.pk, project_id=assignment.article.project_id
            )
            .values_list("role", flat=True)
            .first(),
        )
        if role in MANAGERS:
            return assignment
        if role is None or (role == Role.ANNOTATOR and assignment.annotator_id != request.user.pk):
            raise NotFound("No such assignment.")
        raise PermissionDenied("Only managers change assignments.")

    @extend_schema(
        request=AssignmentUpdateSerializer,
        responses={200: AssignmentSerializer, **ERRORS},
        summary="Managers: set the status (e.g. todo: reopen), or reassign to another annotator",
    )
    def patch(self, request, pk):
        assignment = self._assignment(request, pk)
        data = validated(AssignmentUpdateSerializer, request.data)
        with transaction.atomic():
            if "annotator" in data:
                user = services.user_by_name(data["annotator"], field="annotator")
                assignment_reassign(assignment=assignment, annotator=user)
            if "status" in data and data["status"] != assignment.status:
                assignment.status = data["status"]
                assignment.save(update_fields=["status", "updated_at"])
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, pk):
        self._assignment(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
