import logging

from django.core.files.storage import default_storage
from django.db import models

from annotator.core.jobs import Job

log = logging.getLogger(__name__)


class ImportJob(Job):
    """Files uploaded into a project, imported by a Celery worker (its life: core.jobs; the
    request and the work: imports.uploads)."""

    task_name = "imports.run"
    queue_setting = "ANNOTATOR_IMPORT_QUEUE"

    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="imports")
    # layer (uploader | annotator | gold), annotator (whose layer; a user name), batch,
    # utf16_offsets: what was asked for (imports.uploads.import_options)
    options = models.JSONField(default=dict, blank=True)
    # [{"name": as uploaded, "size": bytes, "stored": its name in the storage}], in order; the
    # stored files are deleted once the job has ended (release)
    files = models.JSONField(default=list, blank=True)
    # ImportReport.as_dict(), one file more as each file's transaction commits
    report = models.JSONField(default=dict, blank=True)
    # Bytes of the files read: an upload may be larger than an integer counts.
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)

    class Meta(Job.Meta):
        verbose_name = "import"

    def __str__(self):
        return f"{self.project.slug} import #{self.pk} ({self.status})"

    def done_message(self) -> str:
        report = self.report
        counts = (
            f"{report.get('articles_created', 0)} article(s), "
            f"{report.get('spans_created', 0)} span(s) created, "
            f"{report.get('duplicates', 0)} duplicate(s) skipped"
        )
        failed = [f["path"] for f in report.get("files", []) if not f["ok"]]
        if failed:
            return f"done: {counts}; nothing stored from {', '.join(failed)} (errors)"
        return f"done: {counts}"

    def release(self) -> None:
        for entry in self.files:
            try:
                default_storage.delete(entry["stored"])
            except Exception as exc:  # the others are still deleted
                log.warning("import #%s: could not delete %s: %s", self.pk, entry["stored"], exc)
