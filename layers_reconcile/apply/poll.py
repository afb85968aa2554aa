"""Waiting in apply: one clock, one sleep and one backoff, all taken from the apply options.

Every wait of a run (a job, a container still generating, an influencer being built, an open
person gate, a pause after a transient failure, a watched post) reads `options.clock` and sleeps
with `options.sleep`, so a test drives a whole `execute()` on a manual clock without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
Clock = Callable[[], float]  # monotonic seconds
Sleep = Callable[[float], Awaitable[None]]

SYSTEM_CLOCK: Clock = time.monotonic
SYSTEM_SLEEP: Sleep = asyncio.sleep


@dataclass(frozen=True)
class Backoff:
    """Delays between checks: `first`, then each `factor` times the last, never above `cap`."""

    first: float
    cap: float
    factor: float = 1.5

    def after(self, delay: float) -> float:
        return min(delay * self.factor, self.cap)


async def poll(
    probe: Callable[[], Awaitable[T | None]],
    *,
    clock: Clock,
    sleep: Sleep,
    until: float,
    backoff: Backoff,
    waiting: Callable[[], AbstractAsyncContextManager[None]],
) -> T | None:
    """Call `probe` until it answers (its answer) or `clock()` passes `until` (None).

    Between checks it sleeps inside `waiting()` (the customer's seat is free meanwhile)."""
    delay = backoff.first
    while True:
        found = await probe()
        if found is not None:
            return found
        if clock() > until:
            return None
        async with waiting():
            await sleep(delay)
        delay = backoff.after(delay)
