"""The Celery task of the exports app: build an Export (core.jobs.job_task)."""

from annotator.core.jobs import job_task
from annotator.exports.models import Export
from annotator.exports.services import build

build_export = job_task(Export, build)
