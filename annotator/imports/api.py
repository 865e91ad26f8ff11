"""The import endpoint: managers upload a file (JSONL, .txt, a SemEval/PTC zip) into a project.

The same import service as ``import_articles`` runs: one transaction per file, and a report
that names every file and line it refused.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.parsers import PayloadTooLarge
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import get_project, require_manager
from annotator.imports.service import import_upload


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JSONL, .txt, or a SemEval/PTC zip.")


class ProjectImports(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="The import report."),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The import report: nothing stored from a bad file.",
            ),
            403: ErrorSerializer,
            404: ErrorSerializer,
            413: ErrorSerializer,
        },
        summary="Managers: import a file of articles",
    )
    def post(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "import articles")
        # Before the body is read: a file over the limit is not even spooled to disk.
        size, limit = int(request.META.get("CONTENT_LENGTH") or 0), settings.IMPORT_MAX_UPLOAD_BYTES
        if size > limit:
            raise PayloadTooLarge(f"The upload is {size} bytes; the limit is {limit}.")
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        report = import_upload(project, file.name, file)  # no options: no ImportSetupError
        code = status.HTTP_201_CREATED if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)
