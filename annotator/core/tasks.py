"""Tasks of the core app: only `ping`, which proves that a worker consumes the broker."""

import re

from celery import shared_task
from django.conf import settings

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
