"""core.serializers.FlatSerializer: shallow field copies, one set per instance, and no
composite field (those need DRF's deep copy)."""

import pytest
from rest_framework import serializers

from annotator.annotations.serializers import SpanCreateSerializer
from annotator.core.serializers import FlatSerializer


def test_each_instance_binds_fields_of_its_own():
    first, second = SpanCreateSerializer(data={}), SpanCreateSerializer(data={})
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other
        assert (field.parent, other.parent) == (first, second)
        assert field is not SpanCreateSerializer._declared_fields[name]
    assert SpanCreateSerializer._declared_fields["label"].parent is None  # never bound


def test_validation_and_errors_are_drf_s():
    good = SpanCreateSerializer(data={"label": "doubt", "start": 2, "end": 5, "text": " x"})
    assert good.is_valid(), good.errors
    assert good.validated_data == {"label": "doubt", "start": 2, "end": 5, "text": " x"}
    bad = SpanCreateSerializer(data={"label": "x" * 101, "start": -1, "end": "3", "origin": "?"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"label", "start", "end", "origin"}


@pytest.mark.parametrize(
    "field",
    [
        serializers.ListField(child=serializers.CharField()),
        serializers.DictField(child=serializers.IntegerField()),
        SpanCreateSerializer(),
        SpanCreateSerializer(many=True),
    ],
    ids=["list", "dict", "nested", "nested-many"],
)
def test_a_composite_field_is_refused_when_the_class_is_made(field):
    with pytest.raises(TypeError, match="items need DRF's deep copy"):
        type("Bad", (FlatSerializer,), {"items": field, "name": serializers.CharField()})
