"""Assigning many articles at once, and the import batches to pick them by (managers).

Single assignments (add, reassign, reopen, remove) are in ``api``; the rules are in
``annotator.corpus.assignments`` and the article filters in ``annotator.corpus.selectors``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.serializers import ERRORS, validated
from annotator.corpus.assignments import assign_articles
from annotator.corpus.permissions import CURATORS, get_project, require_manager, require_role
from annotator.corpus.selectors import ArticleFilter, project_articles, project_batches
from annotator.corpus.serializers import (
    BatchSerializer,
    RoundRobinResultSerializer,
    RoundRobinSerializer,
)


class RoundRobin(APIView):
    @extend_schema(
        request=RoundRobinSerializer,
        responses={200: RoundRobinResultSerializer, **ERRORS},
        summary="Managers: assign the articles a filter selects, round-robin",
    )
    def post(self, request, slug):
        """Each selected article gets ``per_article`` distinct annotators (annotator members
        only), the least loaded first; assignments it already has count, so running it again
        creates nothing. All or nothing."""
        project = get_project(request.user, slug)
        require_manager(project, "assign articles")
        data = validated(RoundRobinSerializer, request.data)
        articles = project_articles(project, ArticleFilter.from_params(data.get("filter") or {}))
        created = assign_articles(
            project,
            articles,
            usernames=data.get("annotators"),
            per_article=data.get("per_article") or project.annotators_per_article,
        )
        return Response({"articles": articles.count(), "created": created})


class Batches(APIView):
    @extend_schema(
        responses={200: BatchSerializer(many=True), **ERRORS},
        summary="Reviewers, managers: the names of the project's import batches",
    )
    def get(self, request, slug):
        project = get_project(request.user, slug)
        require_role(project, CURATORS, "see the import batches")
        batches = [{"batch": name} for name in project_batches(project)]
        return Response(BatchSerializer(batches, many=True).data)
