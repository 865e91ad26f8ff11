"""One translation of service errors into API responses (REST_FRAMEWORK EXCEPTION_HANDLER).

Services raise Django's ``ValidationError`` (a message, or ``{field: [messages]}``): they stay
free of HTTP, and the command line prints the same messages. The API answers them as a 400
with the same body shape as a serializer's errors.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
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
