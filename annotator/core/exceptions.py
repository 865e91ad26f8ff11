"""One translation of service errors into API responses (REST_FRAMEWORK EXCEPTION_HANDLER).

Services stay free of HTTP, and the command line prints the same messages. They raise either
Django's ``ValidationError`` (a message, or ``{field: [messages]}``), answered as a 400 with the
body shape of a serializer's errors, or a :class:`ServiceError`, which carries its own status
and body (a 404, a 409 conflict with the current version, a batch that failed at one item).
A body over Django's size limit is a JSON 413, not Django's HTML 400.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from annotator.core.parsers import PayloadTooLarge


class ServiceError(Exception):
    """A refusal with its HTTP meaning: ``status`` (400 unless a subclass or the raiser says
    otherwise) and a JSON-able ``body`` that names the bad field, ``{field: [messages]}``, with
    any context the client needs to recover (e.g. the current version)."""

    status = 400

    def __init__(self, body: dict, status: int | None = None):
        super().__init__(body)
        self.body = body
        if status is not None:
            self.status = status


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        set_rollback()  # as DRF does for its own errors (ATOMIC_REQUESTS)
        return Response(exc.body, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(f"The request body is over {limit} bytes.")
    if isinstance(exc, DjangoValidationError):
        detail: dict[str, Any]
        if hasattr(exc, "error_dict"):
            detail = {
                ("detail" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"detail": " ".join(exc.messages)}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
