"""Token buckets per (client address, store): bursts are fine, floods get 429 with Retry-After."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`rate` requests per second on average, `burst` at once, for each key; bounded memory.

    Used from the event loop only (one per worker process), so take() needs no lock: it never
    awaits, and nothing else touches the buckets between its steps."""

    def __init__(self, *, rate: float, burst: int, max_keys: int = 100_000):
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    def take(self, key: tuple[str, str], now: float | None = None) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until a token is back."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


    def waiting(self, key: tuple[str, str], now: float | None = None) -> float:
        """The seconds until `key` has a token again (0.0: it has one), spending nothing: for limits
        that charge only some outcomes (a wrong discount code) but refuse every try once empty."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
