"""GET /api/v1/projects/<slug>/stats/: the dashboard's numbers (see stats.py). The agreement
readers (researchers, reviewers, managers, staff) may read them; annotators get 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.agreement.stats import DEFAULT_LIMIT, project_stats
from annotator.core.jobs_api import ERRORS
from annotator.core.params import is_ascii_int
from annotator.corpus.permissions import get_data_project

MAX_LIMIT = 500


class ProjectStats(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit", int, description=f"Articles in the disagreement queue (1-{MAX_LIMIT})"
            )
        ],
        responses={200: dict, **ERRORS},
        summary="Progress per annotator, spans per label, articles sorted by disagreement",
    )
    def get(self, request, slug):
        project = get_data_project(request.user, slug)
        raw = request.query_params.get("limit", str(DEFAULT_LIMIT))
        if not is_ascii_int(raw) or not 1 <= int(raw) <= MAX_LIMIT:
            raise ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
        return Response(project_stats(project, request.user, limit=int(raw)))
