"""Client-side pacing: one token bucket per endpoint class, sized from the key's rate-limit tier.

Each endpoint's class is part of its declaration (`endpoints.py`).

The buckets run on an injected clock and sleep, so tests drive them without waiting. Until the
server says what it allows, a bucket allows `burst` requests at once and refills at `(rpm -
burst)` per minute, which keeps any 60 s window at or under the documented rpm whether the server
counts in fixed windows, sliding windows or a bucket of its own. CONTRACT §2.7 documents the
rpm per tier, `X-RateLimit-Endpoint-Class` and `Retry-After`, and says that other bucket headers
exist without naming them (no starting allowance is documented). The server this tool is tested
against sends `X-RateLimit-Remaining` (what the class has left once the answered request is
counted) on every answer; when an answer carries it, the bucket of the class the answer names
follows the server: it allows that many at once, less the requests sent or waiting for a slot
whose answers have not come back, refills at the documented rpm, and holds at most the largest
allowance the server reported (so a run starts with the server's starting allowance, not with
its own burst, and spends what it saved while it had nothing to send). A 429 holds its class for
exactly `Retry-After` for every caller.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping

from layers_reconcile.client.endpoints import EndpointClass, rate_of

__all__ = ["TIER_RPM", "EndpointClass", "Pacer", "RateBucket", "burst_for", "endpoint_class"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

CLASS_HEADER = "x-ratelimit-endpoint-class"  # documented (CONTRACT §2.7)
REMAINING = "x-ratelimit-remaining"  # sent by the server, its name not in the stored docs
_CLASS_NAMED = {c.value: c for c in EndpointClass}  # built once: every answer is observed
SYNC_MARGIN = 1  # slots kept back when following the server (an answer overtaken by another)


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
    `sync` follows what the server says is left (see the module's docstring).
    """

    def __init__(self, clock: Clock, rpm: int | None = None, burst: int | None = None) -> None:
        self._clock = clock
        self.rpm = rpm
        self.burst = burst if burst is not None else (burst_for(rpm) if rpm else 0)
        self.capacity = max(self.burst, 1)  # requests allowed at once, at most
        self.synced = False  # the server has said what it allows
        # Slots are numbered as they are taken; `open` holds those whose answer has not come
        # back (sent, or waiting for their time).
        self.issued = 0
        self.open: set[int] = set()
        if rpm:
            self._interval = 60.0 / max(rpm - self.burst, 1)
            self._tolerance = (self.capacity - 1) * self._interval
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

    def available(self) -> float:
        """Requests the bucket allows at once now (inf unpaced; below 1: none)."""
        if not self._interval:
            return math.inf
        now = self._clock()
        if self._blocked_until > now:
            return 0.0
        return (now + self._tolerance - max(self._tat, now)) / self._interval + 1

    @property
    def outstanding(self) -> int:
        return len(self.open)

    def sync(self, remaining: int, slot: int | None = None) -> None:
        """The answer of `slot` said the server allows `remaining` more requests now: from now
        on the bucket refills at the documented rpm, and allows `remaining` at once less every
        slot the server may not have counted yet: the slots taken after this one, and the older
        ones still unanswered (`slot` None: an answer before pacing began, all of them), less
        `SYNC_MARGIN` for answers that crossed on the way."""
        if not self.rpm or remaining < 0:
            return
        self.synced = True
        self._interval = 60.0 / self.rpm
        self.capacity = max(self.capacity, remaining + 1)
        self._tolerance = (self.capacity - 1) * self._interval
        if slot is None:
            uncounted = len(self.open)
        else:
            uncounted = self.issued - slot + sum(1 for s in self.open if s < slot)
        available = remaining - uncounted - SYNC_MARGIN
        self._tat = self._clock() + self._tolerance - (available - 1) * self._interval

    async def acquire(self, sleep: Sleep) -> tuple[float, int]:
        """Wait for a slot and hold it until `answered`: (seconds waited, the slot's number).
        The slot is open from the moment it is taken (a sleeper's slot is spent already)."""
        waited = 0.0
        self.issued += 1
        slot = self.issued
        self.open.add(slot)
        try:
            while True:
                delay, epoch = self.reserve()
                if delay <= 0:
                    return waited, slot
                await sleep(delay)
                waited += delay
                if epoch == self._epoch:
                    return waited, slot
        except BaseException:
            self.answered(slot)
            raise

    def answered(self, slot: int) -> None:
        """The request of `slot` is over (answered, or given up on)."""
        self.open.discard(slot)


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
        # What the server said is left while unpaced (whoami's own answer): the starting
        # allowance `configure` gives the class's new bucket.
        self._reported: dict[EndpointClass, int] = {}

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
            new.issued, new.open = old.issued, old.open
            if cls in self._reported:
                new.sync(self._reported[cls])
            if old.blocked_until > self._clock():
                new.penalize(old.blocked_until - self._clock())
            self.buckets[cls] = new
        self._reported.clear()

    async def acquire(self, cls: EndpointClass) -> tuple[float, int]:
        """Wait for a slot of `cls`: (seconds waited, the slot); `answered` when it is over."""
        return await self.buckets[cls].acquire(self._sleep)

    def answered(self, cls: EndpointClass, slot: int) -> None:
        self.buckets[cls].answered(slot)

    def observe(self, cls: EndpointClass, headers: Mapping[str, str], slot: int) -> None:
        """Follow the allowance an answer reports (`X-RateLimit-Remaining`) for the class it
        names (`X-RateLimit-Endpoint-Class`, else `cls`). A shard shares the key's buckets with
        the other shards, whose requests it cannot count: it keeps its own share's pace."""
        remaining = headers.get(REMAINING, "").strip()
        if self.share < 1.0 or not remaining.isdigit():
            return
        named = _CLASS_NAMED.get(headers.get(CLASS_HEADER, "").lower())
        if named is not None and named is not cls:
            cls, slot_of_class = named, None  # the server counts it elsewhere: not our number
        else:
            slot_of_class = slot
        if self.buckets[cls].rpm is None:
            self._reported[cls] = int(remaining)
        else:
            self.buckets[cls].sync(int(remaining), slot_of_class)

    def penalize(self, cls: EndpointClass, seconds: float) -> None:
        self.buckets[cls].penalize(seconds)

    def spare(self, cls: EndpointClass) -> bool:
        """Whether the class has a quarter of its bucket left now: a request that may be
        wasted (an early job poll) takes no slot another request waits for."""
        bucket = self.buckets[cls]
        return bucket.available() >= max(1.0, bucket.capacity / 4)
