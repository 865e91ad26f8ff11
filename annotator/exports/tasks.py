"""Celery tasks of the exports app: the build, and recovery of builds whose worker died.

acks_late (settings) keeps the message until the task returns, so a worker killed mid-build
does not lose it; ``services.claim`` makes a second delivery of a live build a no-op.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from annotator.exports import services

log = logging.getLogger(__name__)


@shared_task(
    name="exports.build",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=2,
    retry_backoff=5,
    retry_jitter=False,
)
def build_export(export_id: int) -> str:
    """Build and publish Export ``export_id``; returns its final status."""
    try:
        export = services.run_export(export_id)
    except (OperationalError, InterfaceError) as exc:
        if build_export.request.retries >= build_export.max_retries:
            services.mark_failed(export_id, f"database error, retries used up: {exc}")
            return "failed"
        raise
    return export.status if export is not None else "skipped"


@shared_task(name="exports.recover")
def recover_exports() -> list[int]:
    return services.recover_stale_exports()


@worker_ready.connect
def _recover_on_start(sender=None, **kwargs):
    # A worker that starts is the likeliest replacement for one that died mid-export.
    try:
        ids = services.recover_stale_exports()
    except Exception:  # never keep a worker from starting
        log.exception("could not look for stalled exports")
        return
    if ids:
        log.warning("queued stalled exports again: %s", ids)
