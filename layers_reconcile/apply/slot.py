"""A customer's seat among the `parallelism` customers worked on at once.

A customer holds its seat while it sends requests and gives it up while it only waits (on a job
or on a person), so fifty customers waiting on their ingest jobs do not queue behind eight. Steps
of one stage run concurrently; the seat is released only when all of them are waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Slot:
    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore = semaphore
        self._active = 0
        self._held = False
        self._lock = asyncio.Lock()

    async def _enter(self) -> None:
        async with self._lock:
            self._active += 1
            if not self._held:
                await self._semaphore.acquire()
                self._held = True

    async def _leave(self) -> None:
        async with self._lock:
            self._active -= 1
            if self._active == 0 and self._held:
                self._semaphore.release()
                self._held = False

    @asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        await self._enter()
        try:
            yield
        finally:
            await asyncio.shield(self._leave())

    @asynccontextmanager
    async def waiting(self) -> AsyncIterator[None]:
        """Inside `working`: give the seat up for the duration of a wait."""
        await self._leave()
        try:
            yield
        finally:
            await self._enter()
