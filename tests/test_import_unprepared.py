"""PostgreSQL: an import runs without prepared statements (core.bulk.planned_each_time).

Settings prepare the statements a connection repeats; an import repeats a statement per batch
(the batch's external ids already in the project) while its table grows inside the import's
transaction, and a plan prepared on the near-empty table (a sequential scan) made 100,000
articles take 79 s instead of 27 s. The connection's own setting comes back afterwards.
"""

import json

import pytest
from django.db import connection
from test_import_helpers import project_fixture  # noqa: F401  (fixture)

from annotator.corpus.models import Article
from annotator.imports.service import import_paths

pytestmark = pytest.mark.postgres


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_an_import_prepares_no_statement(project, tmp_path):
    lines = [
        json.dumps({"id": f"a{n}", "text": f"Article {n}: ✊🏽 a\u00a0b", "spans": []})
        for n in range(12)
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    threshold = connection.connection.prepare_threshold
    assert threshold == 5  # the settings' (ANNOTATOR_DB_PREPARE)

    report = import_paths(project, [path], batch_size=1)  # 12 batches: 12 lookups of ids

    assert report.ok, report.as_dict()
    assert Article.objects.filter(project=project).count() == 12
    assert not [s for s in prepared_statements() if "external_id = ANY" in s]
    assert connection.connection.prepare_threshold == threshold
    for _ in range(6):  # and the connection prepares again afterwards
        list(Article.objects.filter(project=project, external_id="a3"))
    assert [s for s in prepared_statements() if '"corpus_article"."external_id" =' in s]
