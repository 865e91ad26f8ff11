"""Export endpoints: create, list, status (core.jobs_api), download.

Exports are for the people who read a project's data as a whole: researchers, reviewers,
managers and staff. Annotators (who are blind to each other's spans) and non-members get 404.
"""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.jobs import JobStatus
from annotator.core.jobs_api import JobDetail, JobList, JobViewMixin
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import get_data_project
from annotator.exports import serializers
from annotator.exports.formats import ExportError
from annotator.exports.services import request_export


class ExportList(JobList):
    serializer_class, find_project = serializers.ExportSerializer, get_data_project
    create_serializer_class = serializers.ExportCreateSerializer

    def create_job(self, project, data, user):
        try:
            return request_export(project, data["format"], data["options"], requester=user)
        except ExportError as exc:
            raise ValidationError({"options": [str(exc)]}) from None


class ExportDetail(JobDetail):
    serializer_class, find_project = serializers.ExportDetailSerializer, get_data_project


class ExportDownload(JobViewMixin, APIView):
    serializer_class, find_project = serializers.ExportSerializer, get_data_project

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "the dataset zip"),
            409: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Download a finished export",
    )
    def get(self, request, slug, pk):
        export = self.get_job(request, slug, pk)
        if export.status != JobStatus.DONE:
            detail = f"Export #{export.pk} is {export.status}, not done: nothing to download."
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{export.project.slug}-{export.format}-{export.pk}.zip",
            content_type="application/zip",
        )
        response["Content-Length"] = str(export.size)
        response["X-Checksum-SHA256"] = export.sha256
        return response
