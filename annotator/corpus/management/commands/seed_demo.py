from django.core.management.base import BaseCommand, CommandError

from annotator.corpus.demo import DEMO_USERS, DemoRefused, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo project (propaganda-demo) with the seed article, demo articles, label "
        "presets and demo users with published passwords. Development only: refused when "
        "DEBUG is off. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        try:
            report = seed_demo()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        project = report.project
        out = self.stdout.write
        state = "created" if report.project_created else "exists"
        out(f"Project {project.slug!r} ({project.name}): {state}.")
        out(
            f"Schema {project.schema.name!r}: {report.schema_labels_created} label(s) created, "
            f"{report.schema_labels_updated} updated."
        )
        for key in report.schema_labels_kept:
            out(f"  label {key!r} was edited by someone: kept as it is, not reset to the preset.")
        out(
            f"Articles: {len(report.articles_created)} created, {len(report.articles_updated)} "
            f"updated, {len(report.articles_unchanged)} unchanged."
        )
        out(
            f"Memberships created: {report.memberships_created}; "
            f"assignments created: {report.assignments_created}."
        )
        out("Demo users (development only; these passwords are public):")
        for demo in DEMO_USERS:
            state = "created" if demo.username in report.users_created else "exists"
            if demo.username in report.users_with_own_password:
                password = "(its own password, not reset)"
            else:
                password = demo.password
            out(f"  {demo.username:<11} {password:<30} {demo.role:<10} {state}")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
