"""Shared fakes for the client tests: a scripted transport and a clock that never waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import stamina

from layers_reconcile.client import LayersClient

API_KEY = "lp_test_K3Y1D0NTL34KME_s3cr3tv4lu3-never-print-this-0123456789abc"
BASE = "https://api.layers.test"


class FakeClock:
    """A monotonic clock and a sleep that records the delay and (optionally) jumps the clock."""

    def __init__(self, start: float = 1000.0, *, advance: bool = True) -> None:
        self.now = start
        self.advance = advance
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.advance:
            self.now += seconds
        await asyncio.sleep(0)


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class Script:
    """Answers requests from a list of replies (the last one repeats) and records every request."""

    replies: Sequence[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.replies)) - 1
        reply = self.replies[index]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def keys(self) -> list[str | None]:
        return [r.headers.get("idempotency-key") for r in self.requests]


# An answer with the shape of every wire record (for tests about requests, not about answers).
ANY_RECORD: dict[str, Any] = {
    "id": "p1",
    "customerExternalId": None,
    "jobId": "job_1",
    "installationId": 1,
}


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={} if body is None else body, headers=headers)


def fail(status: int, code: str, message: str = "nope", **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "requestId": "req_1", "details": {}}}
    return httpx.Response(status, json=body, headers=headers)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


@pytest.fixture(autouse=True)
def stamina_testing() -> Iterator[None]:
    """No exponential backoff sleeps in tests; the client's own attempt cap still applies."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., LayersClient]:
    def make(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> LayersClient:
        return LayersClient(
            BASE,
            API_KEY,
            transport=httpx.MockTransport(handler),
            clock=clock,
            sleep=clock.sleep,
            **kw,
        )

    return make
