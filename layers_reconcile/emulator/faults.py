"""Faults as real networks produce them, drawn from a seeded generator.

Kinds: `error_500` and `unavailable_503` fail before any work; `rate_limited_429` fails before
any work with `Retry-After`; `lost_500` and `lost_drop` do the work, commit it, then lose the
response (a 500, or a connection closed half way through the response).
"""

from __future__ import annotations

import logging
import random

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

PRE_WORK = ("error_500", "unavailable_503", "rate_limited_429")
AFTER_WORK = ("lost_500", "lost_drop")
KINDS = PRE_WORK + AFTER_WORK


class Faults:
    def __init__(self, rate: float, seed: int | None) -> None:
        self.rate = rate
        self._rng = random.Random(seed)
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def draw(self) -> str | None:
        if self.rate <= 0:
            return None
        if self._rng.random() >= self.rate:
            return None
        kind = KINDS[self._rng.randrange(len(KINDS))]
        self.counts[kind] += 1
        return kind

    def reset(self) -> None:
        self.counts = dict.fromkeys(KINDS, 0)


class ConnectionDropped(Exception):
    """Raised inside the ASGI app after the response started, so the server closes the socket."""


class DroppedResponse(Response):
    """Starts a response it never finishes: the client sees the connection drop mid-body."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"', "more_body": True})
        raise ConnectionDropped("fault injection: response lost after the work was committed")


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def silence_dropped_connections() -> None:
    """Keep uvicorn from printing a traceback for every deliberately dropped connection."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())
