from django.conf import settings
from django.db import models


class AgreementReport(models.Model):
    """Agreement measures for a project, computed in the background and stored."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(
        "corpus.Project", on_delete=models.CASCADE, related_name="agreement_reports"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    article_ids = models.JSONField(default=list, blank=True)
    # What was asked for besides the articles: done_only, gamma (annotator.agreement.services).
    options = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Liveness of a running computation, touched with every progress write: a report whose
    # worker died can be taken over by the redelivered task (annotator.agreement.services).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.project.slug} agreement #{self.pk} ({self.status})"
