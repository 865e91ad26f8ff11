"""Span payloads. Reading is a plain function (fast for thousands of spans); the serializers
validate the shape of writes and describe both directions in the OpenAPI schema."""

from datetime import datetime

from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

from annotator.annotations.models import Span, SpanOrigin
from annotator.annotations.spans import MAX_NOTE_CHARS, MAX_SYNC_OPERATIONS
from annotator.core.fields import StrictIntegerField

MAX_SPAN_TEXT_CHARS = 100_000


# A span as the API returns it, in this order (``span_sql.layer_rows`` selects these values).
SPAN_JSON_KEYS = ("id", "client_id", "article", "annotator", "layer", "label", "start", "end",
                  "text", "note", "origin", "version", "created_at", "updated_at")  # fmt: skip


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
        "created_at": iso_utc(span.created_at),
        "updated_at": iso_utc(span.updated_at),
    }


def layer_json(rows) -> list[dict]:
    """``span_json`` of each row of ``span_sql.layer_rows`` (values already in API form)."""
    keys = SPAN_JSON_KEYS
    return [dict(zip(keys, row, strict=True)) for row in rows]


def iso_utc(value: datetime) -> str:
    """A UTC timestamp as the API writes it: ISO 8601, microseconds only when not zero, ``Z``."""
    return value.isoformat().replace("+00:00", "Z")


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


class SharedFields:
    """Bind a serializer class's fields once, not per instance.

    DRF deep-copies and binds every declared field for each serializer instance, a good share
    of a span write's CPU. These write serializers' fields keep no state between calls (no
    context, no request-dependent defaults), and every instance of a class has the same
    ``partial``, so one set bound to a data-less template instance serves every request.
    """

    @cached_property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            template = cls()
            shared = BindingDict(template)
            for key, value in template.get_fields().items():
                shared[key] = value
            cls._shared_fields = shared
        return shared


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


# Clients create manual spans or accept diff suggestions; "import" is for importers only.
CLIENT_ORIGINS = [SpanOrigin.MANUAL, SpanOrigin.SUGGESTION]


class SpanCreateSerializer(SharedFields, _SpanFields):
    client_id = serializers.UUIDField(
        required=False,
        help_text="Client-generated id: sending the same create twice makes one span.",
    )
    origin = serializers.ChoiceField(
        choices=CLIENT_ORIGINS,
        required=False,
        help_text="suggestion: an accepted diff suggestion (default manual).",
    )


class SpanUpdateSerializer(SharedFields, _SpanFields):
    version = StrictIntegerField(
        min_value=1, required=False, help_text="The version you edited (or send If-Match)."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class SyncOperationSerializer(SharedFields, serializers.Serializer):
    op = serializers.ChoiceField(choices=["create", "update", "delete"])
    origin = serializers.ChoiceField(choices=CLIENT_ORIGINS, required=False)
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
