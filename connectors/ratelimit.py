"""Per-partner politeness: a token bucket that also honours ``Retry-After``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """At most ``rate`` requests a second on average, bursts of ``burst``.

    :meth:`pause` blocks every later :meth:`acquire` until a partner's
    ``Retry-After`` has passed. Thread-safe; the clock and sleep are injectable
    so tests run without waiting.

    Args:
        rate: tokens added per second (``<= 0`` disables the limit).
        burst: bucket capacity.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._last = clock()
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting, for the run record

    def acquire(self) -> float:
        """Take one token, sleeping as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                delay = self._blocked_until - now
                if delay <= 0:
                    if self.rate <= 0:
                        break
                    self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                    self._last = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        break
                    delay = (1 - self._tokens) / self.rate
            self._sleep(delay)
            waited += delay
        self.waited += waited
        return waited

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + max(0.0, seconds))
            self._tokens = 0.0
