from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.clock import ManualClock
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.emulator.support import Api, ApiB

OpenApi = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def open_api(clock: ManualClock) -> OpenApi:
    """Open an in-process emulator with the given settings, sharing the test's clock."""

    @asynccontextmanager
    async def opener(**settings: Any) -> AsyncIterator[Api]:
        app = create_app(EmulatorSettings(**settings), clock=clock)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
                yield Api(c, app, clock)
        finally:
            app.state.emulator.close()

    return opener


@pytest.fixture
async def api(open_api: OpenApi) -> AsyncIterator[Api]:
    async with open_api() as opened:
        yield opened


@pytest.fixture
async def api_b(clock: ManualClock) -> AsyncIterator[ApiB]:
    """An in-process emulator serving Rev B (`--api-revision b`)."""
    app = create_app(EmulatorSettings(api_revision="b"), clock=clock)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
            yield ApiB(c, app, clock)
    finally:
        app.state.emulator.close()


@pytest.fixture(autouse=True)
def _no_swallowed_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The emulator logs (rather than raises) failures of background work; none may happen."""
    yield
    errors = [
        r
        for r in caplog.get_records("call")
        if r.levelno >= logging.ERROR and r.name.startswith("layers_reconcile.emulator")
    ]
    assert not errors, [r.getMessage() for r in errors]
