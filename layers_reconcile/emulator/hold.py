"""A stop point for tests that kill a client mid-run (`POST /_emulator/hold`): the `count`-th
request of a route is carried out but its answer held, and every request that arrives after it
is held unanswered, never carried out; the client then stands still right there, for as long
as a test takes to kill it. `DELETE /_emulator/hold` ends the hold: what it held is dropped
(the client that sent it is gone). Without it a test had to see the count in the stats and
kill before the client went on: a race a busy machine loses."""

from __future__ import annotations

import asyncio


class Hold:
    def __init__(self) -> None:
        self.route: str | None = None
        self.count = 0
        self.arrived = 0  # requests of `route` since the hold was set
        self.held = 0  # requests waiting now
        self._released: asyncio.Event | None = None  # set when the hold ends

    def set(self, route: str, count: int) -> None:
        """Hold at the `count`-th request of `route` (a stats label, e.g. `POST /v1/projects`)
        from now; a hold set before is ended first."""
        self.release()
        self.route, self.count, self.arrived = route, count, 0
        self._released = asyncio.Event()

    def release(self) -> int:
        """End the hold; the requests it held are dropped. How many there were."""
        held = self.held
        if self._released is not None:
            self._released.set()
        self.route, self.count, self._released = None, 0, None
        return held

    def past(self) -> asyncio.Event | None:
        """For a request arriving now: the hold's end to wait for if it is held before being
        carried out (it came after the stop point), else None."""
        return self._released if self.route is not None and self.arrived >= self.count else None

    def arrive(self, label: str) -> asyncio.Event | None:
        """A request of route `label` arrives and is carried out: the hold's end to wait for
        before answering if it is the stop point, else None."""
        if label != self.route:
            return None
        self.arrived += 1
        return self._released if self.arrived == self.count else None

    async def wait(self, released: asyncio.Event) -> None:
        """Hold the calling request until the hold ends (at once if it has ended already)."""
        self.held += 1
        try:
            await released.wait()
        finally:
            self.held -= 1
