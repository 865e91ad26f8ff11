"""API token authentication with one hand-written query per request.

DRF's TokenAuthentication builds and compiles an ORM query (token joined to its user) on every
request, a good part of a span write's CPU. This subclass keeps everything else of it (header
parsing, the 401 with WWW-Authenticate, its messages, inactive users refused) and looks the key
up with a fixed statement.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from annotator.core.queries import from_row


@cache
def _user_by_key(vendor: str) -> str:
    user = get_user_model()
    q = connection.ops.quote_name
    fields = user._meta.concrete_fields
    columns = ", ".join(f"u.{q(field.column)}" for field in fields)
    token_user = q(Token._meta.get_field("user").column)
    return (
        f"SELECT {columns} FROM {q(user._meta.db_table)} u JOIN {q(Token._meta.db_table)} t "
        f"ON t.{token_user} = u.{q(user._meta.pk.column)} "
        f"WHERE t.{q(Token._meta.get_field('key').column)} = %s"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        with connection.cursor() as cursor:
            cursor.execute(_user_by_key(connection.vendor), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = from_row(get_user_model(), row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user_id=user.pk)
        token.user = user
        return user, token
