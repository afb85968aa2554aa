"""Apply under a network that fails: one customer's failure stays its own (issue 19).

In this process against the emulator's ASGI app on a manual clock (tests/apply/inprocess.py),
as the CLI runs it: plan first, then execute that plan.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from layers_reconcile.apply.events import ApplyReport, CustomerStatus
from layers_reconcile.apply.executor import execute
from layers_reconcile.cli.exits import ExitCode, of_report
from layers_reconcile.client import LayersClient
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.emulator.faults import Faults
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import make_plan
from tests.apply.inprocess import BASE, InProcess, in_process, network_like
from tests.apply.support import KEY
from tests.plan.seed import seed_customer, write_workspace

WORKSPACE = "faults"
FAULT_SEED = 4


def _workspace(root: Path, ids: list[str]) -> Path:
    return write_workspace(root, WORKSPACE, ids)


async def _plan_and_apply(
    ip: InProcess, root: Path, transport: httpx.AsyncBaseTransport
) -> tuple[Plan, ApplyReport]:
    """What `apply --auto-approve` does: plan, then execute that plan."""
    workspace = load_workspace(root, now=ip.now())
    client = LayersClient(BASE, KEY, transport=transport, clock=ip.clock.now, sleep=ip.sleep)
    async with client:
        plan = await make_plan(client, workspace, now=ip.now())
        report = await execute(
            client, workspace, options=ip.options(wait_for_people=600.0), plan=plan
        )
    return plan, report


@pytest.mark.slow
async def test_apply_under_30_percent_faults_converges_at_least_95_percent_in_its_first_run(
    tmp_path: Path,
) -> None:
    """60 customers applied before (their plan reads each one) and 40 new ones."""
    done = [f"old-{i:02d}" for i in range(60)]
    new = [f"new-{i:02d}" for i in range(40)]
    root = _workspace(tmp_path, done + new)
    async with in_process(speed=1000) as ip:
        await _seed(ip, done)
        emulator = ip.emulator
        emulator.faults = Faults(0.3, FAULT_SEED)
        _, report = await _plan_and_apply(ip, root, network_like(ip))
        assert emulator.faults.counts["lost_500"] + emulator.faults.counts["lost_drop"] > 0
        emulator.faults = Faults(0.0, None)
        outcomes = {o.customer: o for o in report.outcomes}
        converged = [c for c in new if outcomes[c].status is CustomerStatus.CONVERGED]
        assert len(converged) >= 0.95 * len(new), [(o.customer, o.failure) for o in report.failed]
        await ip.assert_no_duplicates({c: {"containers": 1, "posts": 1} for c in converged})


async def _seed(ip: InProcess, ids: list[str]) -> None:
    gate = asyncio.Semaphore(16)
    async with LayersClient(
        BASE, KEY, transport=network_like(ip), clock=ip.clock.now, sleep=ip.sleep
    ) as client:

        async def one(ext: str) -> None:
            async with gate:
                await seed_customer(client, ext, workspace=WORKSPACE, people=ip.reader)

        await asyncio.gather(*(one(e) for e in ids))


class _Unreadable(httpx.AsyncBaseTransport):
    """The network fails every request about one project."""

    def __init__(self, inner: httpx.AsyncBaseTransport, project_path: str) -> None:
        self.inner = inner
        self.project_path = project_path
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(self.project_path):
            self.failed += 1
            body = {"error": {"code": "INTERNAL", "message": "boom", "requestId": "req_x"}}
            return httpx.Response(500, json=body)
        return await self.inner.handle_async_request(request)


async def test_a_customer_not_planned_is_reported_failed_and_the_others_converge(
    tmp_path: Path,
) -> None:
    root = _workspace(tmp_path, ["new-a", "old-b", "new-c"])
    async with in_process(speed=1000) as ip:
        async with LayersClient(
            BASE, KEY, transport=network_like(ip), clock=ip.clock.now, sleep=ip.sleep
        ) as client:
            pid = await seed_customer(client, "old-b", workspace=WORKSPACE, people=ip.reader)
        unreadable = _Unreadable(network_like(ip), f"/v1/projects/{pid}")
        plan, report = await _plan_and_apply(ip, root, unreadable)
        assert [c.customer_external_id for c in plan.not_planned] == ["old-b"]
        assert unreadable.failed == 12  # two observations of 6 attempts, all while planning
        outcomes = {o.customer: o for o in report.outcomes}
        assert outcomes["new-a"].status is CustomerStatus.CONVERGED
        assert outcomes["new-c"].status is CustomerStatus.CONVERGED
        assert outcomes["old-b"].status is CustomerStatus.FAILED
        failure = outcomes["old-b"].failure
        assert failure is not None
        assert "not planned" in failure.message
        assert "6 attempts: 6 × 500" in failure.message
        assert failure.recovery is not None
        assert "apply again" in failure.recovery
        assert of_report(report) is ExitCode.ERROR
        await ip.assert_no_duplicates(
            {c: {"containers": 1, "posts": 1} for c in ("new-a", "new-c")}
        )
