"""The Celery task of the agreement app: compute an AgreementReport (core.jobs.job_task)."""

from annotator.agreement.models import AgreementReport
from annotator.agreement.services import run
from annotator.core.jobs import job_task

compute_report = job_task(AgreementReport, run)
