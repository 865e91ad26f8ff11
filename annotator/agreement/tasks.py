"""Celery task of the agreement app: compute a queued AgreementReport.

acks_late (settings) keeps the message until the task returns; ``services.claim`` makes a second
delivery of a report already running or finished a no-op.
"""

from celery import shared_task

from annotator.agreement import services


@shared_task(name="agreement.compute")
def compute_report(report_id: int) -> str:
    """Compute AgreementReport ``report_id``; returns its final status."""
    report = services.run_report(report_id)
    return report.status if report is not None else "skipped"
