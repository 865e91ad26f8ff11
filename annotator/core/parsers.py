"""A JSON parser that refuses bodies over a size limit before reading them into memory, values
nested too deeply, and strings that no database can store."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from annotator.core.jsonvalues import UnsafeJSON, check_json


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
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON parse error: nested more than {settings.API_MAX_JSON_DEPTH} levels deep."
            ) from None
        try:
            check_json(data, max_depth=settings.API_MAX_JSON_DEPTH)
        except UnsafeJSON as exc:
            raise ParseError(str(exc)) from None
        return data
