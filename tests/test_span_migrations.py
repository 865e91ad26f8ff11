"""The span table's unique constraints arrive on data that may break them: identical spans in a
layer (which a label merge could make before) become one, and the migration goes through."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("annotations", "0003_move_assignment_to_corpus")]
TEXT = "Protecting\u00a0ISIS 👨‍👩‍👧 while U.S.-led coalition protects them."


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_identical_spans_become_one_with_every_note():
    apps = migrate(BEFORE)
    Span = apps.get_model("annotations", "Span")
    schema = apps.get_model("schemas", "LabelSchema").objects.create(name="S")
    label = apps.get_model("schemas", "Label").objects.create(schema=schema, key="a", name="A")
    project = apps.get_model("corpus", "Project").objects.create(slug="p", name="P", schema=schema)
    article = apps.get_model("corpus", "Article").objects.create(
        project=project, external_id="1", text=TEXT, text_sha256="0" * 64
    )
    user = apps.get_model("auth", "User").objects.create(username="ann")

    def span(annotator, start, end, note=""):
        return Span.objects.create(
            article=article,
            annotator=annotator,
            label=label,
            start=start,
            end=end,
            text=TEXT[start:end],
            note=note,
        ).pk

    first_gold = span(None, 0, 15, "gold note")
    span(None, 0, 15, "gold note")  # the same note is not repeated
    span(None, 0, 15)
    first_own = span(user, 0, 15)
    span(user, 0, 15, "second")
    span(user, 0, 15, "third")
    distinct = [span(user, 16, 24, "family"), span(user, 0, 10)]

    apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Span = apps.get_model("annotations", "Span")
    notes = dict(Span.objects.values_list("pk", "note"))
    assert notes == {
        first_gold: "gold note",
        first_own: "second\nthird",
        distinct[0]: "family",
        distinct[1]: "",
    }
