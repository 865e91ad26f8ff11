"""Export payloads: the create request (validated by the export service, which names a bad
option) and the status the API returns."""

from django.urls import reverse
from rest_framework import serializers

from annotator.exports.formats import FORMATS
from annotator.exports.services import describe


class ExportCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    options = serializers.JSONField(
        required=False,
        default=dict,
        help_text=(
            "layer: gold | all | each; annotators: [username]; done_only: bool; labels: [key]; "
            "label_mapping: {key: new key} or a preset name; format_options: {name: value}."
        ),
    )

    def validate_options(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("options must be a JSON object")
        return value


class ExportSerializer(serializers.Serializer):
    """An export's status. ``message`` says in words what is happening or what went wrong."""

    id = serializers.IntegerField()
    project = serializers.CharField(source="project.slug")
    format = serializers.CharField()
    options = serializers.JSONField()
    status = serializers.CharField()
    stalled = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    error = serializers.CharField()
    attempts = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    counts = serializers.JSONField()
    requester = serializers.CharField(source="requester.username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_stalled(self, export) -> bool:
        return describe(export).stalled

    def get_message(self, export) -> str:
        return describe(export).message

    def get_progress(self, export) -> dict:
        return {"done": export.progress_done, "total": export.progress_total}

    def get_download_url(self, export) -> str | None:
        if export.status != "done":
            return None
        return reverse("api-export-download", args=[export.project.slug, export.pk])


class ExportDetailSerializer(ExportSerializer):
    manifest = serializers.JSONField()
