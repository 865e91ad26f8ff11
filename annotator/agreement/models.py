from django.db import models

from annotator.core.jobs import Job


class AgreementReport(Job):
    """Agreement measures for a project, computed by a Celery worker (its life: core.jobs)."""

    task_name = "agreement.compute"
    queue_setting = "ANNOTATOR_AGREEMENT_QUEUE"

    project = models.ForeignKey(
        "corpus.Project", on_delete=models.CASCADE, related_name="agreement_reports"
    )
    article_ids = models.JSONField(default=list, blank=True)
    # What was asked for besides the articles: done_only, gamma (annotator.agreement.services).
    options = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.project.slug} agreement #{self.pk} ({self.status})"
