"""The article list's indexes: pages of ids along (project, id), and on PostgreSQL trigram
indexes for the title and external id search.

Django's icontains on PostgreSQL is UPPER(column) LIKE UPPER('%...%'): trigram indexes over
UPPER() serve it. pg_trgm is a trusted extension (PostgreSQL 13+), which the database's owner
may create; where it cannot be created the search still works, by scanning the project's
articles, and the migration says so in the log.
"""

import logging

from django.db import DatabaseError, migrations, models, transaction

log = logging.getLogger(__name__)

TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS article_title_trgm ON corpus_article "
    "USING gin (UPPER(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_external_id_trgm ON corpus_article "
    "USING gin (UPPER(external_id) gin_trgm_ops)",
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        connection = schema_editor.connection
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for statement in TRIGRAM_INDEXES:
                cursor.execute(statement)
    except DatabaseError as error:
        log.warning("no trigram indexes for the article search (%s): searches scan", error)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_title_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS article_external_id_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0005_project_settings_article_batch"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["project", "id"], name="article_project_id"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
