"""Import payloads: the upload (multipart) and the import job the API returns."""

from rest_framework import serializers

from annotator.core.jobs_api import JobSerializer
from annotator.imports.models import ImportJob


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text="One or more files (repeat the field): JSONL, .txt, or zips of them or of "
        "SemEval/PTC folders. Each file is one transaction.",
    )
    annotator = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Whose layer the files' spans go into: a member's user name (default: you).",
    )
    gold = serializers.BooleanField(
        required=False, default=False, help_text="Put the files' spans into the gold layer."
    )
    batch = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A name for this import on its articles (default: the time and file names).",
    )
    utf16_offsets = serializers.BooleanField(
        required=False, default=False, help_text="Span offsets count UTF-16 units (doccano)."
    )
    si_label = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="SemEval/PTC: also import span-identification files (no technique) under "
        "this label (key or official name); without it they are not read.",
    )


class ImportFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="As uploaded.")
    size = serializers.IntegerField(help_text="Bytes.")


class ImportJobSerializer(JobSerializer):
    """An import: its life (``progress`` counts the bytes of the files read), what was asked
    for, and its report, one file more as each file's transaction commits."""

    files = ImportFileSerializer(many=True, read_only=True)
    report = serializers.JSONField(
        read_only=True,
        help_text="ok, articles_created, spans_created, duplicates, and files: per file path, "
        "format, ok, counts, duplicate_ids, errors [{file, line, message}] (docs/import.md).",
    )

    class Meta:
        model = ImportJob
        fields = [*JobSerializer.Meta.fields, "options", "files", "report"]
