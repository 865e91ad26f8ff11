"""Django's cache for what can go on without it: ``or_default`` answers a default, and logs a
warning at most once a minute, when the cache (Redis) cannot be reached. The API's rate limits
and the recommenders' caches use it, so that annotators' saves and pages do not stop when Redis
does (before, every API request answered 500 while Redis was down)."""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from redis import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")
_warned_at = [0.0]  # when the last warning was logged (time.monotonic)


def or_default(default: T, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, or ``default`` when it fails because the cache cannot be reached."""
    try:
        return call(*args)
    except (RedisError, OSError) as exc:
        if time.monotonic() - _warned_at[0] >= 60:
            _warned_at[0] = time.monotonic()
            log.warning("The cache is unreachable; going on without it: %s", exc)
        return default
