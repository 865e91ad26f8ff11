"""A span write locks its article's row and nothing else (PostgreSQL row locks).

Writers on other articles of the same project must not wait: an update that locked the project
row as well (FOR UPDATE over a join) would serialise every annotator of the project.
"""

import psycopg
import pytest
from api_helpers import world  # noqa: F401
from django.db import connection, transaction

from annotator.annotations import spans as service


def other_connection():
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"],
        port=s["PORT"] or 5432,
        password=s["PASSWORD"] or None,
        autocommit=True,
    )


def lockable(conn, table: str, pk: int) -> bool:
    try:
        conn.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
    except psycopg.errors.LockNotAvailable:
        return False
    return True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["update", "delete", "sync"])
def test_a_span_write_locks_only_its_article(world, write):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks between connections")
    # The outer transaction holds the write's locks until the checks are done.
    with other_connection() as other, transaction.atomic():
        if write == "update":
            service.update_span(world.span, version=1, changes={"note": "held"})
        elif write == "delete":
            service.delete_span(world.span, version=1)
        else:
            ops = [{"op": "update", "id": world.span.pk, "version": 1, "note": "held"}]
            service.sync_spans(world.article, world.annotator.pk, ops)
        assert not lockable(other, "corpus_article", world.article.pk)
        assert lockable(other, "corpus_article", world.other_article.pk)
        assert lockable(other, "corpus_project", world.project.pk)
