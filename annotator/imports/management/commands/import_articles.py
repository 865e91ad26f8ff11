"""manage.py import_articles --project SLUG [--annotator USER | --gold] [--si-label KEY] PATH..."""

from django.core.management.base import BaseCommand, CommandError

from annotator.corpus.models import Project
from annotator.imports.service import GOLD, ImportSetupError, import_paths


class Command(BaseCommand):
    help = (
        "Import articles (and their spans) from JSONL files, .txt files, SemEval-2020 Task 11 / "
        "PTC folders or zips. Each file is one transaction: a file with an error stores nothing. "
        "See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--annotator",
            metavar="USERNAME",
            help="whose spans imported spans are (created, without a password, if missing)",
        )
        parser.add_argument(
            "--gold", action="store_true", help="imported spans go into the gold layer"
        )
        parser.add_argument(
            "--batch", default="", metavar="NAME", help="a name for this import on its articles"
        )
        parser.add_argument(
            "--utf16-offsets",
            action="store_true",
            help="span offsets count UTF-16 code units (doccano exports): convert to code points",
        )
        parser.add_argument(
            "--fast",
            action="store_true",
            help="PostgreSQL: skip the per-row foreign-key triggers where the role may, the "
            "import checking references itself (about half the database's work; see the risks "
            "in docs/import.md). Default: the ANNOTATOR_IMPORT_FAST_PATH setting",
        )
        parser.add_argument(
            "--si-label",
            metavar="KEY",
            help="also import span-identification files (article<ID>.task1-SI.labels, no "
            "technique) under this label; without it they are not read (technique files are)",
        )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"--project: no project with slug {options['project']!r}")
        if options["gold"] and options["annotator"]:
            raise CommandError("--gold and --annotator: give one of them")
        try:
            report = import_paths(
                project,
                options["paths"],
                annotator=GOLD if options["gold"] else options["annotator"],
                batch=options["batch"],
                utf16_offsets=options["utf16_offsets"],
                si_label=options["si_label"],
                fast=options["fast"] or None,
            )
        except ImportSetupError as exc:
            raise CommandError(str(exc)) from None
        for file in report.files:
            self.write_file_report(file, options)
        self.stdout.write(
            f"Total: {report.articles_created} article(s), {report.spans_created} span(s) "
            f"created, {report.duplicates} duplicate(s) skipped."
        )
        if not report.ok:
            names = ", ".join(f.path for f in report.failed)
            raise CommandError(f"{len(report.failed)} file(s) failed, nothing stored from: {names}")

    def write_file_report(self, file, options) -> None:
        """One file's outcome: its summary, then its errors, notes and the labels files used."""
        style = self.style.SUCCESS if file.ok else self.style.ERROR
        self.stdout.write(style(file.summary()))
        if file.fast_path:
            self.stdout.write("  fast path: foreign-key triggers skipped (docs/import.md)")
        elif options["fast"] and file.ok:
            self.stdout.write("  --fast not taken: the database role may not skip triggers")
        for issue in file.errors:
            self.stdout.write(f"  {issue}")
        for note in file.notes:
            self.stdout.write(f"  note: {note}")
        for where in file.repeated_span_lines:
            self.stdout.write(f"  repeated span line, stored once: {where}")
        if options["verbosity"] >= 2:
            for external_id, used in file.label_files.items():
                self.stdout.write(f"  {external_id}: {', '.join(used)}")
        elif file.label_files:
            self.stdout.write("  (-v 2 lists the labels files each article's spans came from)")
