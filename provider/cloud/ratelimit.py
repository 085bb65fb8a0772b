"""A client-side rate limit: a token bucket shared by every thread of one process."""

from __future__ import annotations

import threading
import time
from typing import Callable

DEFAULT_RATE = 50.0  # calls per second, when neither --rate nor $ECSOPS_RATE says otherwise


def parsed_rate(text: str) -> float | None:
    """`text` as calls per second (0: no limit); None when it is not a finite number ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value < float("inf") else None


class RateLimiter:
    """At most `rate` calls per second on average, in bursts of at most `burst`; `rate=None` disables it.

    `acquire()` blocks until the call may go; it never raises. Thread-safe.
    """

    def __init__(self, rate: float | None, *, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if rate is not None and rate <= 0:
            raise ValueError("the rate limit must be positive")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate or 1)))
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
