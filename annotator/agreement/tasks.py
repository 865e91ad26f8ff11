"""Celery task of the agreement app: compute a queued AgreementReport.

acks_late keeps the message until the task returns, so a worker killed mid-report does not lose
it: the redelivered task takes the report over once its heartbeat is stale (``services.claim``),
while a duplicate delivery of a live or finished report is a no-op.
"""

from celery import shared_task

from annotator.agreement import services


@shared_task(name="agreement.compute", acks_late=True, reject_on_worker_lost=True)
def compute_report(report_id: int) -> str:
    """Compute AgreementReport ``report_id``; returns its final status."""
    report = services.run_report(report_id)
    return report.status if report is not None else "skipped"
