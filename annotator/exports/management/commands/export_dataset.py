"""export_dataset --project SLUG --format FMT --output PATH: the API's export, run here.

The same service as the Celery task builds, verifies and publishes the Export (it is listed by
the API like any other); the published zip is then copied to PATH.
"""

import json
import shutil

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from annotator.core.jobs import JobStatus
from annotator.corpus.models import Project
from annotator.exports.formats import FORMATS, ExportError
from annotator.exports.options import LAYERS
from annotator.exports.services import export_now


class Command(BaseCommand):
    help = "Export a project's dataset as a zip (data + manifest.json + README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--output", required=True, help="where to write the zip")
        parser.add_argument(
            "--layer",
            choices=LAYERS,
            default=None,
            help="default: gold when the project has a gold layer, else each",
        )
        parser.add_argument(
            "--annotator", action="append", default=[], help="only this annotator (repeatable)"
        )
        parser.add_argument("--done-only", action="store_true", help="only articles marked done")
        parser.add_argument("--labels", default="", help="comma-separated label keys to keep")
        parser.add_argument(
            "--label-mapping",
            default="",
            help='a preset name (official names) or JSON {"key": "new_key"}',
        )
        parser.add_argument(
            "--option", action="append", default=[], metavar="NAME=VALUE", help="format option"
        )

    def handle(self, *args, **opts):
        project = Project.objects.filter(slug=opts["project"]).first()
        if project is None:
            raise CommandError(f"--project: no project {opts['project']!r}")
        mapping = opts["label_mapping"].strip() or None
        if mapping and mapping.startswith("{"):
            try:
                mapping = json.loads(mapping)
            except json.JSONDecodeError as exc:
                raise CommandError(f"--label-mapping: not valid JSON ({exc})") from None
        format_options = {}
        for item in opts["option"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--option {item!r}: use NAME=VALUE")
            # true/false for the on/off options (csv: bom, escape_formulas)
            format_options[name] = {"true": True, "false": False}.get(value, value)
        options = {
            "layer": opts["layer"],
            "annotators": opts["annotator"],
            "done_only": opts["done_only"],
            "labels": opts["labels"],
            "label_mapping": mapping,
            "format_options": format_options,
        }
        try:
            export = export_now(project, opts["format"], options)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        if export is None or export.status != JobStatus.DONE:
            reason = export.error if export is not None else "claimed by another process"
            raise CommandError(f"export #{getattr(export, 'pk', '?')} failed: {reason}")
        with default_storage.open(export.file.name, "rb") as src, open(opts["output"], "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        counts = export.counts
        self.stdout.write(
            f"export #{export.pk}: {counts.get('articles', 0)} articles, "
            f"{counts.get('spans', 0)} spans -> {opts['output']} "
            f"({export.size} bytes, sha256 {export.sha256})"
        )
