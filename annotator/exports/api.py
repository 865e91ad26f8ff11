"""Export endpoints: create, list, status, download.

Exports are for the people who read a project's data as a whole: researchers, reviewers,
managers and staff. Annotators (who are blind to each other's spans) and non-members get 404.
"""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.pagination import DefaultPagination
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import DATA_READERS, get_project
from annotator.exports.formats import ExportError
from annotator.exports.models import Export, ExportStatus
from annotator.exports.serializers import (
    ExportCreateSerializer,
    ExportDetailSerializer,
    ExportSerializer,
)
from annotator.exports.services import enqueue, request_export

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


def export_project(user, slug):
    return get_project(user, slug, roles=DATA_READERS)


def get_export(user, slug, pk) -> Export:
    project = export_project(user, slug)
    export = (
        Export.objects.select_related("project", "requester").filter(project=project, pk=pk).first()
    )
    if export is None:
        raise NotFound(f"No export #{pk} in {slug}.")
    return export


class ExportList(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses={200: ExportSerializer(many=True), **ERRORS}, summary="Exports")
    def get(self, request, slug):
        project = export_project(request.user, slug)
        exports = project.exports.select_related("project", "requester").order_by("-pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(exports, request, view=self)
        return paginator.get_paginated_response(ExportSerializer(page, many=True).data)

    @extend_schema(
        request=ExportCreateSerializer,
        responses={201: ExportSerializer, **ERRORS},
        summary="Request an export (built by a worker; poll its status)",
    )
    def post(self, request, slug):
        project = export_project(request.user, slug)
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            export = request_export(
                project,
                serializer.validated_data["format"],
                serializer.validated_data["options"],
                requester=request.user,
            )
        except ExportError as exc:
            raise ValidationError({"options": [str(exc)]}) from None
        enqueue(export)
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)


class ExportDetail(APIView):
    @extend_schema(responses={200: ExportDetailSerializer, **ERRORS}, summary="Export status")
    def get(self, request, slug, pk):
        return Response(ExportDetailSerializer(get_export(request.user, slug, pk)).data)


class ExportDownload(APIView):
    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "the dataset zip"),
            409: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Download a finished export",
    )
    def get(self, request, slug, pk):
        export = get_export(request.user, slug, pk)
        if export.status != ExportStatus.DONE:
            detail = f"Export #{export.pk} is {export.status}, not done: nothing to download."
            return Response(
                {"detail": detail},
                status=status.HTTP_409_CONFLICT,
            )
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{export.project.slug}-{export.format}-{export.pk}.zip",
            content_type="application/zip",
        )
        response["Content-Length"] = str(export.size)
        response["X-Checksum-SHA256"] = export.sha256
        return response
