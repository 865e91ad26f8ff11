"""The import endpoint: managers upload a file (JSONL, .txt, a SemEval/PTC zip) into a project.

The same import service as ``import_articles`` runs: one transaction per file, and a report
that names every file and line it refused. Spans in a file go into the layer of ``annotator``
(a member of the project; default: the uploader), or into the gold layer with ``gold``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.parsers import PayloadTooLarge
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.models import Membership
from annotator.corpus.permissions import get_project, require_manager
from annotator.corpus.services import user_by_name
from annotator.imports.service import GOLD, import_upload


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JSONL, .txt, or a SemEval/PTC zip.")
    annotator = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Whose layer the file's spans go into: a member's user name (default: you).",
    )
    gold = serializers.BooleanField(
        required=False, default=False, help_text="Put the file's spans into the gold layer."
    )
    batch = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A name for this import on its articles (default: the time and file name).",
    )
    utf16_offsets = serializers.BooleanField(
        required=False, default=False, help_text="Span offsets count UTF-16 units (doccano)."
    )


def span_layer(project, uploader, data: dict):
    """The user whose layer imported spans go into, or GOLD; a 400 naming the field."""
    if data.get("gold"):
        if data.get("annotator"):
            raise ValidationError({"annotator": ["Give an annotator or gold, not both."]})
        return GOLD
    username = data.get("annotator")
    if not username:
        return uploader
    user = user_by_name(username, field="annotator")
    if not Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"annotator": [f"{username!r} is not a member of this project."]})
    return user


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
        data = upload.validated_data
        file = data["file"]
        batch = data.get("batch") or f"{timezone.now():%Y-%m-%d %H:%M} {file.name}"
        # The options are checked here, so the service raises no ImportSetupError.
        report = import_upload(
            project,
            file.name,
            file,
            annotator=span_layer(project, request.user, data),
            utf16_offsets=data["utf16_offsets"],
            batch=batch[:200],
        )
        code = status.HTTP_201_CREATED if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)
