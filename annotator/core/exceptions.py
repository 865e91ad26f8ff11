"""One translation of service errors into API responses (REST_FRAMEWORK EXCEPTION_HANDLER).

Services raise Django's ``ValidationError`` (a message, or ``{field: [messages]}``): they stay
free of HTTP, and the command line prints the same messages. The API answers them as a 400
with the same body shape as a serializer's errors. A body over Django's size limit is a JSON
413, not Django's HTML 400.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.core.parsers import PayloadTooLarge


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(f"The request body is over {limit} bytes.")
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("detail" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"detail": " ".join(exc.messages)}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
