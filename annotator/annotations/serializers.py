"""Span payloads. Reading is a plain function (fast for thousands of spans); the serializers
validate the shape of writes and describe both directions in the OpenAPI schema.

A span is shown with every field of the model (a field added to ``Span`` is shown without a
change here), the label by its key, and ``layer``."""

from datetime import datetime

from rest_framework import serializers

from annotator.annotations.models import Span, SpanOrigin
from annotator.annotations.spans import MAX_NOTE_CHARS, MAX_SYNC_OPERATIONS
from annotator.core.fields import StrictIntegerField
from annotator.core.serializers import FlatSerializer

MAX_SPAN_TEXT_CHARS = 100_000


def iso_utc(value: datetime) -> str:
    """A UTC timestamp as the API writes it: ISO 8601, microseconds only when not zero, ``Z``."""
    return value.isoformat().replace("+00:00", "Z")


def _reader(field):
    """(attribute, conversion) with which span_json reads ``field``."""
    if field.name == "label":
        return "label", lambda label: label.key
    if field.get_internal_type() == "UUIDField":
        return field.attname, lambda value: None if value is None else str(value)
    if field.get_internal_type() == "DateTimeField":
        return field.attname, iso_utc
    return field.attname, None


_READERS = [(field.name, *_reader(field)) for field in Span._meta.concrete_fields]

# A span as the API returns it, in this order (``span_sql.layer_rows`` selects these values).
SPAN_JSON_KEYS = (*(name for name, _, _ in _READERS), "layer")


def span_json(span: Span) -> dict:
    data = {}
    for name, attname, convert in _READERS:
        value = getattr(span, attname)
        data[name] = value if convert is None else convert(value)
    data["layer"] = "gold" if span.annotator_id is None else "annotator"
    return data


def layer_json(rows) -> list[dict]:
    """``span_json`` of each row of ``span_sql.layer_rows`` (values already in API form)."""
    keys = SPAN_JSON_KEYS
    return [dict(zip(keys, row, strict=True)) for row in rows]


class SpanSerializer(serializers.ModelSerializer):
    """A span as the API returns it (offsets in Unicode code points, ``[start, end)``)."""

    label = serializers.CharField(read_only=True, help_text="The label's key.")  # type: ignore[assignment]  # DRF's Field.label
    layer = serializers.ChoiceField(choices=["gold", "annotator"], read_only=True)

    class Meta:
        model = Span
        fields = SPAN_JSON_KEYS
        read_only_fields = SPAN_JSON_KEYS
        extra_kwargs = {"text": {"help_text": "article.text[start:end]"}}


class _SpanFields(FlatSerializer):
    label = serializers.CharField(max_length=100, help_text="A live label key of the project.")  # type: ignore[assignment]  # DRF's Field.label
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


# Clients create manual spans or accept diff suggestions and recommendations; "import" is for
# importers only.
CLIENT_ORIGINS = [SpanOrigin.MANUAL, SpanOrigin.SUGGESTION, SpanOrigin.RECOMMENDER]
ORIGIN_MODEL_HELP = (
    'With origin "recommender": the origin_model of the accepted recommendation (ignored '
    "otherwise)."
)


class SpanCreateSerializer(_SpanFields):
    client_id = serializers.UUIDField(
        required=False,
        help_text="Client-generated id: sending the same create twice makes one span.",
    )
    origin = serializers.ChoiceField(
        choices=CLIENT_ORIGINS,
        required=False,
        help_text="suggestion: an accepted diff suggestion; recommender: an accepted "
        "recommendation (default manual).",
    )
    origin_model = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=ORIGIN_MODEL_HELP
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
    origin = serializers.ChoiceField(choices=CLIENT_ORIGINS, required=False)
    origin_model = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=ORIGIN_MODEL_HELP
    )
    id = StrictIntegerField(required=False, min_value=1)
    client_id = serializers.UUIDField(required=False)
    version = StrictIntegerField(required=False, min_value=1)
    label = serializers.CharField(required=False, max_length=100)  # type: ignore[assignment]  # DRF's Field.label
    start = StrictIntegerField(required=False, min_value=0)
    end = StrictIntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTE_CHARS)
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_SPAN_TEXT_CHARS
    )


class SyncRequestSerializer(serializers.Serializer):
    # many=True hands the lengths to the ListSerializer, which the stubs do not know.
    operations = SyncOperationSerializer(many=True, max_length=MAX_SYNC_OPERATIONS, min_length=1)  # type: ignore[call-arg]


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
