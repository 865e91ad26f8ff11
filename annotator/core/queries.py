from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def only_row(queryset):
    """The row of a lookup on a unique key, or None.

    Unlike ``.first()`` it adds no ORDER BY: models' default orderings follow foreign keys
    (an article orders by its project's name), which costs a join and query building on the
    hot path of every span write, for a single row.
    """
    return next(iter(queryset.order_by()[:1]), None)


def from_row(model: type[M], row: Sequence) -> M:
    """An instance of ``model`` from hand-written SQL: ``row`` holds its concrete columns in
    order, converted as the ORM converts them (SQLite's booleans, datetimes and UUIDs)."""
    names, converters = _converters(model, connection.vendor)
    values = list(row)
    for index, col, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], col, connection)
    return model.from_db(connection.alias, names, values)


@cache
def _converters(model: type[models.Model], vendor: str) -> tuple[list[str], list]:
    fields = model._meta.concrete_fields
    found = []
    for index, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            found.append((index, col, functions))
    return [field.attname for field in fields], found
