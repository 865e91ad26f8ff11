from django.core.management.base import BaseCommand, CommandError

from annotator.schemas.presets import preset_names
from annotator.schemas.services import SchemaError, load_schema_report


class Command(BaseCommand):
    help = (
        "Create or update a label schema from presets and/or schema JSON files (as written by "
        "the admin's 'export as JSON'); several sources merge into one schema. "
        f"Presets: {', '.join(preset_names())}."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="PRESET_OR_FILE")
        parser.add_argument("--name", help="Schema name (default: the sources' titles).")

    def handle(self, *args, sources, name=None, **options):
        try:
            report = load_schema_report(sources, name=name)
        except SchemaError as exc:
            raise CommandError(str(exc)) from None
        verb = "Created" if report.schema_created else "Updated"
        if not report.changed:
            verb = "Unchanged"
        self.stdout.write(
            f"{verb} schema {report.schema.name!r}: {len(report.created)} label(s) created, "
            f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
        )
        labels = {label.key: label for label in report.schema.labels.all()}
        for key in report.created:
            label = labels[key]
            self.stdout.write(f"  + {key} (hotkey {label.hotkey or '-'}, colour {label.color})")
        for key, changes in report.updated.items():
            fields = ", ".join(
                f"{field} {change['before']!r} -> {change['after']!r}"
                for field, change in changes.items()
            )
            self.stdout.write(f"  ~ {key}: {fields}")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
