"""Tasks of the core app: `ping`, which proves that a worker consumes the broker, and the
periodic recovery of background jobs whose worker was lost (core.jobs)."""

import logging
import re

from celery import shared_task
from django.conf import settings

from annotator.core import jobs

log = logging.getLogger(__name__)

# The token becomes a file name: keep it to a harmless alphabet.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def ping_path(token: str):
    """Where `ping(token)` leaves its mark: VAR_DIR/ping/<token>."""
    if not TOKEN_RE.fullmatch(token):
        raise ValueError(f"ping token must match {TOKEN_RE.pattern}, got {token!r}")
    return settings.VAR_DIR / "ping" / token


@shared_task(name="core.ping")
def ping(token: str = "") -> str:
    """Answer "pong"; with a token, also write VAR_DIR/ping/<token> so another process can see
    that a real worker ran the task (Celery keeps no results here)."""
    if token:
        path = ping_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("pong", encoding="utf-8")
    return "pong"


@shared_task(name="core.recover_jobs")
def recover_jobs() -> list[str]:
    """Run by Celery beat every ANNOTATOR_JOB_RECOVERY_SECONDS (settings.CELERY_BEAT_SCHEDULE)."""
    done = jobs.recover()
    if done:
        log.warning("job recovery: %s", "; ".join(done))
    return done
