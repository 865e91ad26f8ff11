"""Export payloads: the create request (validated by the export service, which names a bad
option) and the status the API returns."""

from django.urls import reverse
from rest_framework import serializers

from annotator.core.jobs_api import JobSerializer
from annotator.exports.formats import FORMATS
from annotator.exports.models import Export


class ExportCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    options = serializers.JSONField(
        required=False,
        default=dict,
        help_text=(
            "layer: gold | all | each (default: gold when the project has a gold layer, else "
            "each; all only for formats naming each span's annotator); annotators: [username]; "
            "done_only: bool; labels: [key]; "
            "label_mapping: {key: new key} or a preset name; format_options: {name: value}."
        ),
    )

    def validate_options(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("options must be a JSON object")
        return value


class ExportSerializer(JobSerializer):
    """An export's status. ``message`` says in words what is happening or what went wrong."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            *JobSerializer.Meta.fields,
            "format",
            "options",
            "sha256",
            "size",
            "counts",
            "download_url",
        ]

    def get_download_url(self, export) -> str | None:
        if export.status != "done":
            return None
        return reverse("api-export-download", args=[export.project.slug, export.pk])


class ExportDetailSerializer(ExportSerializer):
    class Meta(ExportSerializer.Meta):
        fields = [*ExportSerializer.Meta.fields, "manifest"]
