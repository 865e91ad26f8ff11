"""Serializers every app's API uses."""

import copy
from typing import Any

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Errors: ``detail`` or one entry per bad field, each a list of messages."""

    detail = serializers.CharField(required=False)


# The error responses most endpoints document.
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def validated(serializer_class: type[serializers.Serializer], data) -> Any:
    """``data`` as ``serializer_class`` validates it; a 400 naming the bad fields otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _composite(field: serializers.Field) -> bool:
    """A field with fields of its own, bound to it (nested serializers, ListField, DictField,
    many related fields): copying it needs DRF's deep copy."""
    return isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, name) for name in ("child", "child_relation")
    )


class FlatSerializer(serializers.Serializer):
    """A serializer of plain fields (strings, numbers, UUIDs, choices) that gives each
    instance shallow copies of its declared fields. DRF deep-copies them, which runs every
    field's ``__init__`` again: 89 µs of a span create's 2 ms (bench/api_cpu.py), against ~20
    µs here. Each instance still binds fields of its own, so nothing bound to one request is
    shared with another; what the copies share (validators, choices, messages) is read-only
    after ``__init__``. A composite field is refused when the class is made."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        composite = [name for name, field in cls._declared_fields.items() if _composite(field)]
        if composite:
            raise TypeError(f"{cls.__name__}: {', '.join(composite)} need DRF's deep copy")

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}
