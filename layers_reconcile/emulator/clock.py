"""Injectable time. Every duration, job progress and publish decision reads `Clock.now()`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

# 2026-04-18T17:00:00Z, the morning of the onboarding guide.
GUIDE_MORNING = datetime(2026, 4, 18, 17, 0, tzinfo=UTC).timestamp()


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told to; for tests."""

    def __init__(self, start: float = GUIDE_MORNING) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds

    def set(self, when: float) -> None:
        self._now = max(self._now, when)
