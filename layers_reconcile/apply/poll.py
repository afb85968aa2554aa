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


class Deadline:
    """`--timeout`: the one end of a whole run (planning and applying) on its clock. Its `sleep`
    never sleeps past that end: it sleeps what is left and raises TimeoutError, so a run on a
    manual clock gives up when that clock gets there, never waiting for real."""

    def __init__(self, clock: Clock, sleep: Sleep, seconds: float | None) -> None:
        self.clock = clock
        self._sleep = sleep
        self.at = None if seconds is None else clock() + seconds

    def left(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - self.clock())

    def extend(self, seconds: float) -> None:
        """Not counted: the time a person took to answer a question."""
        if self.at is not None:
            self.at += max(0.0, seconds)

    def loop_time(self) -> float | None:
        """The end as a time of the running event loop (for `asyncio.timeout_at`)."""
        left = self.left()
        return None if left is None else asyncio.get_running_loop().time() + left

    async def sleep(self, seconds: float) -> None:
        left = self.left()
        if left is None or seconds < left:
            await self._sleep(seconds)
            return
        await self._sleep(left)
        raise TimeoutError("--timeout")


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
