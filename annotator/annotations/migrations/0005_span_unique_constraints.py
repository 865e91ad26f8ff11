"""The database refuses an identical span in a layer and a reused client id (declared on
``Span``; the span service checked both by hand before). The unique (article, annotator, label,
start, end) index replaces the (article, annotator) index for every lookup of an article's
spans. The client id's index becomes partial: imported spans, which have none, skip it."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0004_merge_identical_spans"),
        ("corpus", "0004_assignment"),
        ("schemas", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="span",
            constraint=models.UniqueConstraint(
                fields=("article", "annotator", "label", "start", "end"),
                name="span_unique_in_layer",
            ),
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.UniqueConstraint(
                condition=models.Q(("annotator__isnull", True)),
                fields=("article", "label", "start", "end"),
                name="span_unique_in_gold",
            ),
        ),
        migrations.RemoveIndex(model_name="span", name="span_article_layer"),
        migrations.AlterField(
            model_name="span",
            name="client_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client_id__isnull", False)),
                fields=("client_id",),
                name="span_unique_client_id",
            ),
        ),
    ]
