"""Serializers every app's API uses."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Errors: ``detail`` or one entry per bad field, each a list of messages."""

    detail = serializers.CharField(required=False)
