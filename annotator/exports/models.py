from django.db import models

from annotator.core.jobs import Job


class Export(Job):
    """An immutable dataset snapshot built by a Celery worker (its life: core.jobs)."""

    task_name = "exports.build"
    queue_setting = "ANNOTATOR_EXPORT_QUEUE"

    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=20)
    options = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    manifest = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.project.slug} {self.format} #{self.pk} ({self.status})"

    def done_message(self) -> str:
        return f"done: {self.size} bytes, sha256 {self.sha256}"
