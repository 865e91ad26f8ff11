"""Span payloads. Reading is a plain function (fast for thousands of spans); the serializers
validate the shape of writes and describe both directions in the OpenAPI schema."""

from rest_framework import serializers

from annotator.annotations.models import Span, SpanOrigin
from annotator.annotations.spans import MAX_NOTE_CHARS, MAX_SYNC_OPERATIONS
from annotator.core.fields import StrictIntegerField

MAX_SPAN_TEXT_CHARS = 100_000


def span_json(span: Span) -> dict:
    return {
        "id": span.pk,
        "client_id": str(span.client_id) if span.client_id else None,
        "article": span.article_id,
        "annotator": span.annotator_id,
        "layer": "gold" if span.annotator_id is None else "annotator",
        "label": span.label.key,
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "note": span.note,
        "origin": span.origin,
        "version": span.version,
        "created_at": span.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": span.updated_at.isoformat().replace("+00:00", "Z"),
    }


class SpanSerializer(serializers.Serializer):
    """A span as the API returns it (offsets in Unicode code points, ``[start, end)``)."""

    id = serializers.IntegerField()
    client_id = serializers.UUIDField(allow_null=True)
    article = serializers.IntegerField()
    annotator = serializers.IntegerField(allow_null=True, help_text="Null for the gold layer.")
    layer = serializers.ChoiceField(choices=["gold", "annotator"])
    label = serializers.CharField(help_text="The label's key.")
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    text = serializers.CharField(allow_blank=True, help_text="article.text[start:end]")
    note = serializers.CharField(allow_blank=True)
    origin = serializers.ChoiceField(choices=SpanOrigin.choices)
    version = serializers.IntegerField(min_value=1)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class _SpanFields(serializers.Serializer):
    label = serializers.CharField(max_length=100, help_text="A live label key of the project.")
    start = StrictIntegerField(min_value=0)
    end = StrictIntegerField(min_value=1)
    note = serializers.CharField(max_length=MAX_NOTE_CHARS, allow_blank=True, required=False)
    text = serializers.CharField(
        max_length=MAX_SPAN_TEXT_CHARS,
        required=False,
        trim_whitespace=False,
        allow_blank=True,
        help_text="Optional: the text the client means to label; 409 if the server's slice "
        "differs.",
    )


class SpanCreateSerializer(_SpanFields):
    client_id = serializers.UUIDField(
        required=False,
        help_text="Client-generated id: sending the same create twice makes one span.",
    )


class SpanUpdateSerializer(_SpanFields):
    version = StrictIntegerField(
        min_value=1, required=False, help_text="The version you edited (or send If-Match)."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class SyncOperationSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["create", "update", "delete"])
    id = StrictIntegerField(required=False, min_value=1)
    client_id = serializers.UUIDField(required=False)
    version = StrictIntegerField(required=False, min_value=1)
    label = serializers.CharField(required=False, max_length=100)
    start = StrictIntegerField(required=False, min_value=0)
    end = StrictIntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTE_CHARS)
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_SPAN_TEXT_CHARS
    )


class SyncRequestSerializer(serializers.Serializer):
    operations = SyncOperationSerializer(many=True, max_length=MAX_SYNC_OPERATIONS, min_length=1)


class SyncResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    op = serializers.CharField()
    status = serializers.IntegerField()
    span = SpanSerializer(required=False)
    existed = serializers.BooleanField(required=False)


class SyncResponseSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)


class SyncFailureSerializer(serializers.Serializer):
    """A batch that stored nothing: which operation failed and why (its field errors)."""

    detail = serializers.CharField()
    failed_index = serializers.IntegerField()
    error = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    """Errors: ``detail`` or one entry per bad field, each a list of messages."""

    detail = serializers.CharField(required=False)
