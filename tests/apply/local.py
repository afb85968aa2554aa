"""The emulator in this process, for tests that run the real CLI in-process (`run_cli`).

`local_emulator(tmp, ...)` takes the options of `support.emulator(tmp, ...)` (speed, consent,
faults, the emulator's own flags in `extra`) and gives an object with the same surface (`url`,
`env()`, `stats()`, `reset_stats()`, `db`), but nothing is started: the emulator's ASGI app runs
in the CLI's own event loop, the CLI reaches it through its runtime (the transport, the clock
and the sleep `cli.main(obj=Runtime(...))` hands in; `run_cli` finds it by the URL in `env`),
and both read a `SkippingClock`: time passes as it does (a person the emulator simulates still
acts while apply works), but a sleep of the CLI moves the clock on instead of waiting. `Api(emu.url)` and `local_http(emu.url)`
read the same app. The URL is a loopback address nothing listens on, so a command that missed
the runtime fails to connect instead of reaching another test's emulator.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from layers_reconcile.cli.common import Runtime
from layers_reconcile.cli.emulator import emulator as emulator_command
from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.faults import ConnectionDropped
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.emulator.state import Emulator
from tests.apply.support import KEY, EmulatorOptions, cli_env

_HOSTS = itertools.count(1)
# URL of each open in-process emulator -> the runtime that reaches it.
_OPEN: dict[str, Runtime] = {}


def runtime_for(url: str | None) -> Runtime | None:
    """The runtime of the in-process emulator at `url` (None: not one of them)."""
    return _OPEN.get((url or "").rstrip("/"))


class SkippingClock:
    """Wall time plus every sleep skipped so far: what the system clock would read had each
    sleep been waited out."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def now(self) -> float:
        return time.time() + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += max(0.0, seconds)


class _AsNetwork(httpx.AsyncBaseTransport):
    """The app's transport, but a connection the emulator drops (a lost response) reaches the
    client as it would over a socket: an httpx error, not the app's own exception."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None


class _Blocking(httpx.BaseTransport):
    """The same app for a sync client (the tests' reader): each request in its own loop."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()

        async def send() -> httpx.Response:
            answer = await self.inner.handle_async_request(request)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body)

        return asyncio.run(send())


def local_http(url: str, key: str = KEY, **kw: Any) -> httpx.Client:
    """A sync client of the in-process emulator at `url` (as `httpx.Client(base_url=url)`)."""
    runtime = runtime_for(url)
    if runtime is None or runtime.transport is None:
        raise ValueError(f"{url}: no in-process emulator there")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=url, headers=headers, transport=_Blocking(runtime.transport), **kw)


def settings_of(extra: Sequence[str], **values: Any) -> dict[str, Any]:
    """The emulator's settings its command line `extra` names (read by the command itself)."""
    context = emulator_command.make_context("emulator", list(extra))
    given = {k: v for k, v in context.params.items() if k not in ("emulator_key", "host", "port")}
    return {**given, **values}


@dataclass
class LocalEmulator(EmulatorOptions):
    """The emulator app on a skipping clock, reachable by `run_cli` and `Api` at `url`."""

    url: str = field(default_factory=lambda: f"http://127.77.0.{next(_HOSTS)}:9")
    clock: SkippingClock = field(default_factory=SkippingClock)
    sleeps: int = 0
    app: Any = None

    async def sleep(self, seconds: float) -> None:
        """A sleep of the CLI: the clock moves, nothing waits (others get their turn)."""
        self.sleeps += 1
        self.clock.advance(seconds)
        await asyncio.sleep(0)

    def start(self) -> LocalEmulator:
        values = settings_of(
            self.extra,
            db=self.db,
            speed=self.speed,
            api_key=KEY,
            auto_consent=self.auto_consent,
            fault_rate=self.fault_rate,
            fault_seed=self.fault_seed,
        )
        self.app = create_app(EmulatorSettings(**values), clock=self.clock)
        transport = _AsNetwork(self.app)
        _OPEN[self.url] = Runtime(clock=self.clock.now, sleep=self.sleep, transport=transport)
        return self

    def stop(self) -> None:
        _OPEN.pop(self.url, None)
        if self.app is not None:
            self.app.state.emulator.close()
            self.app = None

    @property
    def api_key(self) -> str:
        return KEY

    @property
    def emulator(self) -> Emulator:
        """The emulator's state, for a test that changes what no API call can."""
        state: Emulator = self.app.state.emulator
        return state

    def stats(self) -> dict[str, Any]:
        with local_http(self.url) as http:
            body: dict[str, Any] = http.get("/_emulator/stats").json()
            return body

    def reset_stats(self) -> None:
        with local_http(self.url) as http:
            http.post("/_emulator/stats/reset")

    def env(self) -> dict[str, str]:
        return cli_env(self.url, self.speed)


@contextmanager
def local_emulator(tmp: Path, **kw: Any) -> Iterator[LocalEmulator]:
    emu = LocalEmulator(db=tmp / f"emulator-{next(_HOSTS)}.sqlite3", **kw).start()
    try:
        yield emu
    finally:
        emu.stop()
