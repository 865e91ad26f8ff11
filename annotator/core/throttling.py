"""API rate limits: one counter per client and window, incremented in the cache.

DRF's own throttles keep the time of every request in the window as a list that each request
reads, trims and writes back. At the users' 3,000 requests a minute a busy client's list holds
3,000 floats, pickled both ways through Redis on every request (0.4 ms of the web process's
CPU a request in bench/api.py), and two processes that read the list at once both write it
back, one count lost (DRF's docs say so). Here a request costs one atomic increment (Redis
INCR; two round trips through Django's cache API), and every process's request counts.

The windows are fixed (GitHub's API counts this way too): ``rate`` requests per window of the
rate's period, aligned to multiples of the period since the epoch, so that every process
agrees on the window without asking; a client may spend its rate at the end of one window and
again at the start of the next. ``Retry-After`` is the time left in the window.

When the cache cannot be reached, requests are let through (``core.cache.or_default``).
"""

from rest_framework import throttling

from annotator.core.cache import or_default


class _WindowCounter(throttling.SimpleRateThrottle):
    num_requests: int  # set from the rate by SimpleRateThrottle.__init__
    duration: int  # seconds

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.key = f"{key}_{window}"
        self.window_ends = (window + 1) * self.duration
        self.now = now
        count = or_default(None, self._count)  # None: the cache cannot be reached
        return count is None or count <= self.num_requests

    def _count(self) -> int:
        """This request's number in the window. A window's counter outlives the window by a
        period, so it never expires between being found and being incremented (an INCR of a
        missing key would make a counter that never expires)."""
        try:
            return self.cache.incr(self.key)
        except ValueError:  # the window's first request, or a race with another process's
            if self.cache.add(self.key, 1, 2 * self.duration):
                return 1
            return self.cache.incr(self.key)

    def wait(self) -> float:
        return max(self.window_ends - self.now, 0.0)


class AnonRateThrottle(_WindowCounter, throttling.AnonRateThrottle):
    """Per address, for requests without credentials (DRF's ``anon`` rate)."""


class UserRateThrottle(_WindowCounter, throttling.UserRateThrottle):
    """Per user, for authenticated requests (DRF's ``user`` rate)."""
