"""Client-side pacing: one token bucket per endpoint class, sized from the key's rate-limit tier.

Each endpoint's class is part of its declaration (`endpoints.py`).

The buckets run on an injected clock and sleep, so tests drive them without waiting. A bucket
allows `burst` requests at once and refills at `(rpm - burst)` per minute, which keeps any 60 s
window at or under the documented rpm whether the server counts in fixed windows, sliding windows
or a bucket of its own. A 429 holds its class for exactly `Retry-After` for every caller.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping

from layers_reconcile.client.endpoints import EndpointClass, rate_of

__all__ = ["TIER_RPM", "EndpointClass", "Pacer", "RateBucket", "burst_for", "endpoint_class"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


# Requests per minute by tier and class (CONTRACT §2.7). `internal` and unknown tiers: unpaced.
TIER_RPM: Mapping[str, Mapping[EndpointClass, int]] = {
    "standard": {
        EndpointClass.READ_LIGHT: 120,
        EndpointClass.WRITE_LIGHT: 60,
        EndpointClass.LONG_RUNNING: 20,
    },
    "pilot": {
        EndpointClass.READ_LIGHT: 1200,
        EndpointClass.WRITE_LIGHT: 600,
        EndpointClass.LONG_RUNNING: 60,
    },
    "partner": {
        EndpointClass.READ_LIGHT: 6000,
        EndpointClass.WRITE_LIGHT: 3000,
        EndpointClass.LONG_RUNNING: 300,
    },
}


def endpoint_class(method: str, path: str) -> EndpointClass:
    """The rate-limit class of a request, as its declaration in `endpoints.py` says."""
    return rate_of(method, path)


def burst_for(rpm: int) -> int:
    """Requests allowed at once: about six seconds' worth, at least one."""
    return max(1, rpm // 10)


class RateBucket:
    """A token bucket (GCRA form) on an injected clock; `rpm=None` paces nothing.

    Callers reserve a slot and sleep until it; a penalty (429) voids the slots of sleepers, who
    then take new ones after the penalty, so the class resumes at its rate instead of in a burst.
    """

    def __init__(self, clock: Clock, rpm: int | None = None, burst: int | None = None) -> None:
        self._clock = clock
        self.rpm = rpm
        self.burst = burst if burst is not None else (burst_for(rpm) if rpm else 0)
        if rpm:
            self._interval = 60.0 / max(rpm - self.burst, 1)
            self._tolerance = (max(self.burst, 1) - 1) * self._interval
        else:
            self._interval = 0.0
            self._tolerance = 0.0
        self._tat = clock()
        self._blocked_until = -math.inf
        self._epoch = 0

    def __repr__(self) -> str:
        return f"RateBucket(rpm={self.rpm}, burst={self.burst})"

    @property
    def blocked_until(self) -> float:
        return self._blocked_until

    def reserve(self) -> tuple[float, int]:
        """Take the next slot: (seconds to wait for it, epoch it belongs to)."""
        now = self._clock()
        start = max(now, self._blocked_until)
        if self._interval:
            start = max(start, self._tat - self._tolerance)
            self._tat = max(self._tat, start) + self._interval
        return start - now, self._epoch

    def penalize(self, seconds: float) -> None:
        """The server said 429 with `Retry-After: seconds`: nobody in this class goes before."""
        until = self._clock() + max(0.0, seconds)
        if until <= self._blocked_until:
            return
        self._blocked_until = until
        self._tat = max(self._tat, until + self._tolerance)
        self._epoch += 1

    async def acquire(self, sleep: Sleep) -> float:
        """Wait for a slot; returns the seconds waited."""
        waited = 0.0
        while True:
            delay, epoch = self.reserve()
            if delay <= 0:
                return waited
            await sleep(delay)
            waited += delay
            if epoch == self._epoch:
                return waited


class Pacer:
    """The three buckets of one API key. Unpaced until `configure` learns the tier."""

    def __init__(self, clock: Clock, sleep: Sleep, *, share: float = 1.0) -> None:
        self._clock = clock
        self._sleep = sleep
        # The part of the tier this client may use: 1/N for one of N shards run side by side.
        self.share = share
        self.tier: str | None = None
        self.buckets: dict[EndpointClass, RateBucket] = {
            c: RateBucket(clock) for c in EndpointClass
        }

    def __repr__(self) -> str:
        return f"Pacer(tier={self.tier!r})"

    def configure(self, tier: str | None) -> None:
        """Size the buckets for `tier` (from whoami); an unknown tier leaves them unpaced."""
        self.tier = tier
        limits = TIER_RPM.get((tier or "").lower())
        for cls in EndpointClass:
            old = self.buckets[cls]
            rpm = max(1, math.floor(limits[cls] * self.share)) if limits else None
            new = RateBucket(self._clock, rpm)
            if old.blocked_until > self._clock():
                new.penalize(old.blocked_until - self._clock())
            self.buckets[cls] = new

    async def acquire(self, cls: EndpointClass) -> float:
        return await self.buckets[cls].acquire(self._sleep)

    def penalize(self, cls: EndpointClass, seconds: float) -> None:
        self.buckets[cls].penalize(seconds)
