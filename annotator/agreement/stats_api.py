"""GET /api/v1/projects/<slug>/stats/: the dashboard's numbers (see stats.py). The agreement
readers (researchers, reviewers, managers, staff) may read them; annotators get 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.agreement.stats import DEFAULT_LIMIT, project_stats
from annotator.core.jobs_api import ERRORS
from annotator.core.params import is_ascii_int, parse_id
from annotator.corpus.permissions import get_data_project

MAX_LIMIT = 500


class ProjectStats(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit", int, description=f"Articles in the disagreement queue (1-{MAX_LIMIT})"
            ),
            OpenApiParameter(
                "done_only",
                bool,
                description="Compare finished work only (default true); false adds work in "
                "progress (never articles an annotator has not opened)",
            ),
            OpenApiParameter(
                "pair", str, description="Two annotator ids (3,5): that pair's disagreement only"
            ),
        ],
        responses={200: dict, **ERRORS},
        summary="Progress per annotator, spans per label, articles sorted by disagreement",
    )
    def get(self, request, slug):
        project = get_data_project(request.user, slug)
        params = request.query_params
        raw = params.get("limit", str(DEFAULT_LIMIT))
        if not is_ascii_int(raw) or not 1 <= int(raw) <= MAX_LIMIT:
            raise ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
        done_only = params.get("done_only", "true").lower()
        if done_only not in BOOLEANS:
            raise ValidationError({"done_only": ["true or false."]})
        pair = _pair(params.get("pair"))
        return Response(
            project_stats(
                project, request.user, limit=int(raw), done_only=BOOLEANS[done_only], pair=pair
            )
        )


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _pair(raw: str | None) -> tuple[int, int] | None:
    if raw is None or raw == "":
        return None
    ids = [parse_id(part.strip()) for part in raw.split(",")]
    first, second = (ids + [None, None])[:2]
    if len(ids) != 2 or first is None or second is None or first == second:
        raise ValidationError({"pair": ["Two different annotator ids: pair=3,5."]})
    return (first, second)
