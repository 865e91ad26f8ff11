"""A JSON parser that refuses bodies over a size limit before reading them into memory, and
strings that no database can store."""

import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# NUL cannot be stored in PostgreSQL text or jsonb; an unpaired surrogate (which JSON's \u
# escapes allow) is not Unicode text at all and cannot be encoded as UTF-8.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_JSON_BYTES`` (a view may set ``max_json_bytes``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        limit = getattr(view, "max_json_bytes", None) or settings.API_MAX_JSON_BYTES
        request = (parser_context or {}).get("request")
        length = 0
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
        if length > limit:
            raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}.")
        data = super().parse(stream, media_type, parser_context)
        check_storable(data)
        return data


def check_storable(value, path: str = "") -> None:
    """Raise a 400 naming the first string (value or key) that cannot be stored."""
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            where = path or "the body"
            raise ParseError(
                f"{where}: contains a NUL character or an unpaired surrogate (\\u0000, "
                "\\ud800-\\udfff), which cannot be stored."
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, path or "a key")
            check_storable(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable(item, f"{path}[{index}]")
