"""Assignment, moved here from the annotations app with its rows: the state takes over the
existing table, which is then renamed to this app's name; content types and permissions follow."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="annotations", new="corpus"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model="assignment").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="corpus", new="annotations")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_move_assignment_to_corpus"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("corpus", "0003_image_caption_range_both_or_neither"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Assignment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("todo", "To do"),
                                    ("in_progress", "In progress"),
                                    ("done", "Done"),
                                    ("skipped", "Skipped"),
                                ],
                                default="todo",
                                max_length=20,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "annotator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="assignments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="assignments",
                                to="corpus.article",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "annotations_assignment",
                        "ordering": ["article_id", "annotator_id"],
                        "indexes": [
                            models.Index(
                                fields=["annotator", "status"], name="assignment_mine_by_status"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("article", "annotator"),
                                name="one_assignment_per_article_and_annotator",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="assignment", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
