"""A view drawn with rich's `Live` while a command runs, when its console is a terminal; plain
lines otherwise (the view decides). One `with` shape for apply's progress and plan's reading."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.live import Live


class LiveView:
    """`with view:` starts the view's `Live` (built by `_live_display`) when `live_mode` is on
    and stops it on the way out, an error or a Ctrl-C included (it erases a transient view)."""

    live_mode: bool
    _live: Live | None = None

    def _live_display(self) -> Live:
        raise NotImplementedError

    def __enter__(self) -> Self:
        if self.live_mode:
            self._live = self._live_display()
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None
