"""PostgreSQL: refuse to change an article's text once it has spans, whatever the code path.

Article.save() already refuses; this trigger also stops QuerySet.update(), raw SQL and other
processes. SQLite gets no trigger: Django rebuilds SQLite tables on ALTER, which would drop it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION corpus_article_text_immutable() RETURNS trigger AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text
       AND EXISTS (SELECT 1 FROM annotations_span WHERE article_id = OLD.id) THEN
        RAISE EXCEPTION 'article % (external id %) has spans: its text is immutable',
            OLD.id, OLD.external_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER corpus_article_text_immutable
    BEFORE UPDATE OF text ON corpus_article
    FOR EACH ROW EXECUTE FUNCTION corpus_article_text_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS corpus_article_text_immutable ON corpus_article;
DROP FUNCTION IF EXISTS corpus_article_text_immutable();
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0001_initial"),
        ("annotations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP), elidable=False),
    ]
