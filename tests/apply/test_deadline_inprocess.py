"""`apply --timeout` is one deadline on the command's clock, planning and applying alike, and the
client's retry backoff sleeps on that clock too: the whole command run in this process on a
manual clock gives up when that clock reaches the deadline, and nothing waits for real."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from starlette.types import Receive, Scope, Send

from layers_reconcile.apply.events import ApplyReport, CustomerStatus
from layers_reconcile.cli.apply import ApplyFlags, ApplyRun, converge
from layers_reconcile.cli.common import Endpoint, Runtime
from layers_reconcile.cli.scope import run_scope
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.errors import ReconcileError
from tests.apply.inprocess import BASE, InProcess, in_process
from tests.apply.support import DATA, KEY, copy_workspace


def job_of(workspace: Path, emu: InProcess, **values: Any) -> ApplyRun:
    loaded = load_workspace(workspace, now=emu.now())
    quiet = Console(file=io.StringIO())
    return ApplyRun(
        workspace=loaded,
        scope=run_scope(loaded, (), None, None),
        saved=None,
        reviewed=None,
        console=quiet,
        errors=quiet,
        flags=ApplyFlags(auto_approve=True, **values),
    )


async def converged(job: ApplyRun, emu: InProcess) -> ApplyReport:
    endpoint = Endpoint(url=BASE, api_key=KEY, emulator=True)
    runtime = Runtime(clock=emu.clock.now, sleep=emu.sleep, transport=emu.transport)
    ended = await converge(job, endpoint, runtime)
    assert isinstance(ended, ApplyReport), ended
    return ended


@pytest.fixture
def stamina_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """What stamina itself sleeps (for real): the backoff must not go through it."""
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("stamina._core._smart_sleep", record)
    return slept


class Failing:
    """An API answering every request 500 INTERNAL (an outage): GETs are retried with backoff."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {"error": {"code": "INTERNAL", "message": "down", "requestId": "r", "details": {}}}
        raw = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(raw))]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": raw})


async def test_timeout_while_planning_is_reached_by_the_retry_backoff_on_the_clock(
    tmp_path: Path, stamina_sleeps: list[float]
) -> None:
    import httpx

    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    async with in_process() as emu:
        emu.transport = httpx.ASGITransport(app=Failing())
        started = emu.clock.now()
        with pytest.raises(ReconcileError) as refused:
            await converged(job_of(ws, emu, timeout=5.0), emu)
        assert str(refused.value) == (
            "gave up at --timeout (5 s) while planning; nothing was changed"
        )
        # The backoff (0.5 s doubling, jitter ≤ 1 s) was slept on the clock up to the deadline.
        assert emu.clock.now() - started == pytest.approx(5.0)
        assert emu.sleeps >= 2
    assert not any(stamina_sleeps)


async def test_timeout_ends_a_wait_for_people_on_the_clock(
    tmp_path: Path, stamina_sleeps: list[float]
) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    async with in_process(auto_consent=False) as emu:
        started = emu.clock.now()
        report = await converged(job_of(ws, emu, timeout=120.0, wait_for_people=600.0), emu)
        spent = emu.clock.now() - started
        assert [o.status for o in report.outcomes] == [CustomerStatus.FAILED]
        failure = report.outcomes[0].failure
        assert failure is not None
        assert "--timeout" in failure.message
        assert 120.0 <= spent < 600.0, spent  # the deadline, not the wait for people, ended it
    assert not any(stamina_sleeps)
