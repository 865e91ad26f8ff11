"""Assignment moves to the corpus app (annotator.corpus.models): the project's workflow, next to
its articles and memberships. Only Django's state changes here; the table is renamed, rows kept,
by corpus/0004_assignment."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_curation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Assignment")],
            database_operations=[],
        ),
    ]
