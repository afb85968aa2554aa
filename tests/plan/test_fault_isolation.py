"""One customer's unlucky read fails that customer alone (issue 19).

In this process against the emulator's ASGI app on a manual clock (tests/apply/inprocess.py):
100 converged customers are seeded through the API, then the emulator starts failing requests
the way networks do (`--fault-rate 0.3`: 500, 503, 429, lost responses, dropped connections).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from layers_reconcile.cli.exits import ExitCode, of_plan
from layers_reconcile.client import LayersClient
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.emulator.faults import Faults
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import make_plan
from layers_reconcile.render.json import render_json
from layers_reconcile.render.markdown import render_markdown
from layers_reconcile.render.text import plain_text
from tests.apply.inprocess import BASE, InProcess, in_process, network_like
from tests.apply.support import KEY
from tests.plan.seed import seed_customer, write_workspace

WORKSPACE = "faults"
CUSTOMERS = 100
SEEDS = (4, 13, 14)  # each makes two reads fail all their attempts in one pass


def _workspace(root: Path, ids: list[str]) -> Path:
    return write_workspace(root, WORKSPACE, ids)


def _client(ip: InProcess, transport: httpx.AsyncBaseTransport | None = None) -> LayersClient:
    return LayersClient(
        BASE, KEY, transport=transport or network_like(ip), clock=ip.clock.now, sleep=ip.sleep
    )


async def _seed(ip: InProcess, ids: list[str]) -> None:
    gate = asyncio.Semaphore(16)
    async with _client(ip) as client:

        async def one(ext: str) -> None:
            async with gate:
                await seed_customer(client, ext, workspace=WORKSPACE, people=ip.reader)

        await asyncio.gather(*(one(e) for e in ids))


async def _plan(
    ip: InProcess, root: Path, transport: httpx.AsyncBaseTransport | None = None
) -> Plan:
    async with _client(ip, transport) as client:
        return await make_plan(client, load_workspace(root, now=ip.now()), now=ip.now())


@pytest.mark.slow
async def test_a_plan_of_100_customers_under_30_percent_faults_plans_at_least_99(
    tmp_path: Path,
) -> None:
    ids = [f"cafe-{i:03d}" for i in range(CUSTOMERS)]
    root = _workspace(tmp_path, ids)
    async with in_process(speed=1000) as ip:
        await _seed(ip, ids)
        emulator = ip.emulator
        for seed in SEEDS:
            emulator.faults = Faults(0.3, seed)
            plan = await _plan(ip, root)
            assert sum(emulator.faults.counts.values()) > 100  # the faults did happen
            planned = [c for c in plan.customers if c.not_planned is None]
            assert len(plan.customers) == CUSTOMERS
            assert len(planned) >= 99, (seed, [c.not_planned for c in plan.not_planned])
            assert all(not c.steps for c in planned)  # converged: faults add no phantom change
            assert plan.summary.not_planned == CUSTOMERS - len(planned)
            failed = ExitCode.ERROR if plan.not_planned else ExitCode.OK
            assert of_plan(plan, detailed=True) is failed


class _Unreadable(httpx.AsyncBaseTransport):
    """The network between us and the API fails every request about one project."""

    def __init__(self, inner: httpx.AsyncBaseTransport, project_path: str, status: int) -> None:
        self.inner = inner
        self.project_path = project_path
        self.status = status
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(self.project_path):
            self.failed += 1
            if self.status == 0:
                raise httpx.RemoteProtocolError("peer closed connection", request=request)
            body = {"error": {"code": "INTERNAL", "message": "boom", "requestId": "req_x"}}
            return httpx.Response(self.status, json=body, headers={"Retry-After": "1"})
        return await self.inner.handle_async_request(request)


async def test_a_customer_that_cannot_be_read_is_shown_not_planned_and_the_others_are_planned(
    tmp_path: Path,
) -> None:
    ids = ["cafe-a", "cafe-b", "cafe-c"]
    root = _workspace(tmp_path, [*ids, "cafe-new"])
    async with in_process(speed=1000) as ip:
        await _seed(ip, ids)
        (project,) = await ip.projects("cafe-b")
        unreadable = _Unreadable(network_like(ip), f"/v1/projects/{project['id']}", 503)
        plan = await _plan(ip, root, unreadable)
    assert unreadable.failed >= 6
    (missing,) = plan.not_planned
    assert missing.customer_external_id == "cafe-b"
    assert missing.not_planned is not None
    assert missing.not_planned.attempts == "6 attempts: 6 × 503"
    others = {c.customer_external_id: c for c in plan.customers if c.not_planned is None}
    assert set(others) == {"cafe-a", "cafe-c", "cafe-new"}
    assert not others["cafe-a"].steps
    assert not others["cafe-c"].steps
    assert others["cafe-new"].steps  # a new customer is planned in full
    assert of_plan(plan, detailed=False) is ExitCode.ERROR
    assert of_plan(plan, detailed=True) is ExitCode.ERROR

    text = plain_text(plan)
    assert "Not planned" in text
    assert "cafe-b" in text
    assert "6 attempts: 6 × 503" in text
    assert "1 customer not planned" in text
    assert "Lower --parallelism" not in text
    assert "--api-url" not in text
    markdown = "\n".join(render_markdown(plan))
    assert "cafe-b" in markdown
    assert "6 attempts: 6 × 503" in markdown
    doc = json.loads(render_json(plan))
    assert doc["summary"]["notPlanned"] == 1
    (row,) = doc["notPlanned"]
    assert row["customerExternalId"] == "cafe-b"
    assert row["status"] == 503
    assert row["attempts"] == "6 attempts: 6 × 503"
    assert Plan.from_document(doc).not_planned[0].customer_external_id == "cafe-b"


@pytest.mark.parametrize(
    ("status", "advice", "not_advised"),
    [
        (429, "Lower --parallelism", "--api-url"),
        (0, "again later", "Lower --parallelism"),  # dropped connections: it was reached
    ],
)
async def test_the_advice_follows_what_the_attempts_met(
    tmp_path: Path, status: int, advice: str, not_advised: str
) -> None:
    root = _workspace(tmp_path, ["cafe-a", "cafe-b"])
    async with in_process(speed=1000) as ip:
        await _seed(ip, ["cafe-a", "cafe-b"])
        (project,) = await ip.projects("cafe-b")
        unreadable = _Unreadable(network_like(ip), f"/v1/projects/{project['id']}", status)
        plan = await _plan(ip, root, unreadable)
    (missing,) = plan.not_planned
    assert missing.not_planned is not None
    line = missing.not_planned.text()
    assert advice in line
    assert not_advised not in line
    summary = "No changes. 1 customer matches the files. 1 customer not planned"
    assert summary in plain_text(plan)
    what = "429" if status else "dropped connection"
    assert f"6 attempts: 6 × {what}" in line
