"""Identical spans in a layer (same article, layer, label, start and end) become one, before
0005 makes the database refuse them: the API never stored such twins, but merging two labels
could. The oldest span stays, with the notes of the others appended."""

from django.db import migrations
from django.db.models import Count

KEY = ("article_id", "annotator_id", "label_id", "start", "end")


def merge_identical_spans(apps, schema_editor):
    Span = apps.get_model("annotations", "Span")
    groups = Span.objects.order_by().values(*KEY).annotate(n=Count("id")).filter(n__gt=1)
    for group in groups.values_list(*KEY):
        key = dict(zip(KEY, group, strict=True))
        if key["annotator_id"] is None:
            key["annotator_id__isnull"] = True
            del key["annotator_id"]
        kept, *twins = Span.objects.filter(**key).order_by("id")
        notes = [kept.note] + [t.note for t in twins if t.note and t.note not in kept.note]
        kept.note = "\n".join(note for note in notes if note)
        kept.save(update_fields=["note"])
        Span.objects.filter(pk__in=[t.pk for t in twins]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_move_assignment_to_corpus"),
    ]

    operations = [
        migrations.RunPython(merge_identical_spans, migrations.RunPython.noop, elidable=True),
    ]
