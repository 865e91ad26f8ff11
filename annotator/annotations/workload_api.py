"""GET /api/v1/projects/<slug>/workload/: each annotator's assignments, spans and last
activity (reviewers and managers; the numbers are in ``annotator.annotations.workload``)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.annotations.workload import project_workload
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import CURATORS, get_project, require_role
from annotator.corpus.serializers import WorkloadSerializer


class ProjectWorkload(APIView):
    @extend_schema(
        responses={200: WorkloadSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Reviewers, managers: the workload table, one row per annotator",
    )
    def get(self, request, slug):
        project = get_project(request.user, slug)
        require_role(project, CURATORS, "see the workload")
        return Response(WorkloadSerializer(project_workload(project), many=True).data)
