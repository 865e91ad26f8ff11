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


@cache
def _user_by_key(vendor: str):
    """The statement, and per column the converters of the backend (SQLite's booleans and
    datetimes) as the ORM would apply them."""
    user = get_user_model()
    q = connection.ops.quote_name
    fields = user._meta.concrete_fields
    columns = ", ".join(f"u.{q(field.column)}" for field in fields)
    token_user = q(Token._meta.get_field("user").column)
    sql = (
        f"SELECT {columns} FROM {q(user._meta.db_table)} u JOIN {q(Token._meta.db_table)} t "
        f"ON t.{token_user} = u.{q(user._meta.pk.column)} "
        f"WHERE t.{q(Token._meta.get_field('key').column)} = %s"
    )
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col("u")
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, col, found))
    return sql, [field.attname for field in fields], converters


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        sql, names, converters = _user_by_key(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if converters:
            row = list(row)
            for index, col, functions in converters:
                for convert in functions:
                    row[index] = convert(row[index], col, connection)
        user = get_user_model().from_db(connection.alias, names, row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user_id=user.pk)
        token.user = user
        return user, token
