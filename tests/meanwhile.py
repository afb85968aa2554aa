"""Something done from another thread once the test's main thread has reached a given point,
not after a fixed time: on a loaded machine a timer fires before the main thread gets there
(a Ctrl-C meant for a blocked wait then lands before it, outside `pytest.raises`, and stops
the whole run)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import CodeType

GUARD = 60.0  # seconds: only a real hang waits this long for the point to be reached


class Once(threading.Thread):
    """A thread that calls `act` as soon as `reached()` is true (polled every few ms). If it is
    not true within GUARD seconds, `act` is never called and the test's own guard fails it.
    `cancel()` (and `join()`) before the test ends: a watcher left running would act in a later
    test of the same process."""

    def __init__(self, reached: Callable[[], bool], act: Callable[[], None]) -> None:
        super().__init__(name="meanwhile", daemon=True)
        self._reached = reached
        self._act = act
        self._cancelled = threading.Event()
        self.acted = False

    def run(self) -> None:
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline and not self._cancelled.is_set():
            if self._reached():
                self._act()
                self.acted = True
                return
            self._cancelled.wait(0.005)

    def cancel(self) -> None:
        self._cancelled.set()


def once(reached: Callable[[], bool], act: Callable[[], None]) -> Once:
    """`Once(reached, act)`, started."""
    watcher = Once(reached, act)
    watcher.start()
    return watcher


def main_thread_in(code: CodeType) -> Callable[[], bool]:
    """True while the main thread runs `code` (in any frame of its stack)."""
    main = threading.main_thread().ident

    def inside() -> bool:
        frame = sys._current_frames().get(main) if main is not None else None
        while frame is not None:
            if frame.f_code is code:
                return True
            frame = frame.f_back
        return False

    return inside
