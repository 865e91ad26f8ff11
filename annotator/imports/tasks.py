"""The Celery task of the imports app: run an ImportJob (core.jobs.job_task)."""

from annotator.core.jobs import job_task
from annotator.imports.models import ImportJob
from annotator.imports.uploads import run

run_import = job_task(ImportJob, run)
