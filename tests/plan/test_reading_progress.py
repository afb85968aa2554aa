"""A long `plan` says on stderr how far it has read; a short one says nothing more than before.

The real CLI in this process against the emulator's app (`tests/apply/local.py`), converged
customers seeded through the API. The command runs on a clock of the test's own: each
customer's read of its content moves it on STEP seconds, and nothing else does (`parallelism:
1` in layers.yaml: one customer read after another), so which progress lines a CI log gets is
exact, and no test waits.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
from click.testing import CliRunner

from layers_reconcile.cli.common import Runtime
from layers_reconcile.cli.main import cli
from layers_reconcile.client import LayersClient
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.plan.model import CustomerPlan
from layers_reconcile.plan.planner import make_plan
from tests.apply.inprocess import BASE, in_process, network_like
from tests.apply.local import LocalEmulator, local_emulator, runtime_for
from tests.apply.support import KEY
from tests.apply.test_unknown_statuses import NewerApi
from tests.plan.seed import seed_customer, write_workspace

STEP = 3.0  # seconds each customer's read takes, on the command's clock
CUSTOMERS = 20
# 12 customers read 10 s each: a line at 10 s, then every 30 s, and the last
LINES_OF_12 = [
    "reading actual state: 1 of 12 customers (8%), 10s",
    "reading actual state: 4 of 12 customers (33%), 40s",
    "reading actual state: 7 of 12 customers (58%), 1m10s, ~50s left",
    "reading actual state: 10 of 12 customers (83%), 1m40s, ~20s left",
    "reading actual state: 12 of 12 customers (100%), 2m00s",
]


class _Stepping(httpx.AsyncBaseTransport):
    """The emulator's transport; a read of a project's content (one per customer in a plan of
    converged customers) moves the command's clock on `step` seconds."""

    def __init__(self, inner: httpx.AsyncBaseTransport, step: float) -> None:
        self.inner, self.step, self.now = inner, step, 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and re.fullmatch(
            r"/v1/projects/[^/]+/content", request.url.path
        ):
            self.now += self.step
        return await self.inner.handle_async_request(request)


def _seeded(tmp: Path, emu: LocalEmulator, count: int) -> Path:
    ids = [f"cafe-{i:02d}" for i in range(count)]
    transport = _transport(emu)

    async def seed() -> None:  # on the emulator's clock: a job's wait is skipped, not waited
        client = LayersClient(
            emu.url, KEY, transport=transport, clock=emu.clock.now, sleep=emu.sleep
        )
        async with client, httpx.AsyncClient(transport=transport) as people:
            for ext in ids:
                await seed_customer(client, ext, workspace="progress", people=people)

    asyncio.run(seed())
    ws = write_workspace(tmp / "ws", "progress", ids)
    with (ws / "layers.yaml").open("a", encoding="utf-8") as settings:
        settings.write("parallelism: 1\n")  # one customer read after another, in every command
    return ws


def _transport(emu: LocalEmulator) -> httpx.AsyncBaseTransport:
    runtime = runtime_for(emu.url)
    assert runtime is not None
    assert runtime.transport is not None
    return runtime.transport


def _run(
    emu: LocalEmulator, ws: Path, step: float, *args: str, command: str = "plan", **env: str
) -> tuple[int, str, str]:
    """`layers-reconcile COMMAND WS ARGS` on a clock each customer moves `step` seconds on;
    stderr is not a terminal (a CI log)."""
    stepping = _Stepping(_transport(emu), step)
    runtime = Runtime(clock=stepping.clock, sleep=stepping.sleep, transport=stepping)
    environment = {**emu.env(), "LAYERS_API_URL": emu.url, "GITHUB_STEP_SUMMARY": "", **env}
    result = CliRunner().invoke(
        cli, [*command.split(), str(ws), *args], env=environment, obj=runtime
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.stderr
    return result.exit_code, result.stdout, result.stderr


def _created_at_masked(document: str) -> str:
    doc = json.loads(document)
    doc["createdAt"] = "…"
    return json.dumps(doc)


def test_a_long_plan_prints_a_few_progress_lines_on_stderr_and_the_same_plan(
    tmp_path: Path,
) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        ws = _seeded(tmp_path, emu, CUSTOMERS)
        saved, summary = tmp_path / "plan.json", tmp_path / "summary.md"
        code, out, err = _run(emu, ws, STEP, "--out", str(saved), GITHUB_STEP_SUMMARY=str(summary))
        slow, slow_summary = saved.read_text(encoding="utf-8"), summary.read_text("utf-8")
        summary.unlink()
        quiet_code, quiet_out, quiet_err = _run(
            emu, ws, 0.0, "--out", str(saved), GITHUB_STEP_SUMMARY=str(summary)
        )
        quiet = saved.read_text(encoding="utf-8")
    assert code == quiet_code == 0
    # Customer k is read by 3k s: the first line once 10 s have passed (k=4, no estimate before
    # 5 customers), the next 30 s later (k=14: 6 left at 3 s each), and the last at the end;
    # then what plan printed before.
    assert err.splitlines() == [
        "reading actual state: 4 of 20 customers (20%), 12s",
        "reading actual state: 14 of 20 customers (70%), 42s, ~18s left",
        "reading actual state: 20 of 20 customers (100%), 1m00s",
        *quiet_err.splitlines(),
    ]
    assert quiet_err.startswith("Saved the plan to ")  # read in no time: no progress line
    assert out == quiet_out  # stdout: the plan alone, as without the lines
    assert "No changes. 20 customers match the files." in out
    assert _created_at_masked(slow) == _created_at_masked(quiet)
    assert slow_summary == summary.read_text("utf-8")  # the job summary too
    assert "reading actual state" not in slow_summary


def test_apply_says_how_far_its_plan_has_read(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        ws = _seeded(tmp_path, emu, 12)
        code, out, err = _run(emu, ws, 10.0, "--auto-approve", command="apply")
        quiet_code, quiet_out, quiet_err = _run(emu, ws, 0.0, "--auto-approve", command="apply")
    assert code == quiet_code == 0
    assert err.splitlines() == [*LINES_OF_12, *quiet_err.splitlines()]
    assert out == quiet_out
    assert "No changes. 12 customers match the files." in out


def test_json_on_stdout_stays_a_document_while_progress_goes_to_stderr(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        ws = _seeded(tmp_path, emu, 12)
        code, out, err = _run(emu, ws, 10.0, "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["changes"] == 0  # nothing but the document
    assert err.splitlines() == LINES_OF_12


def test_a_plan_read_within_10_seconds_prints_no_progress_line(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        ws = _seeded(tmp_path, emu, 4)
        code, out, err = _run(emu, ws, 2.4)  # 9.6 s in all
    assert code == 0
    assert err == ""
    assert "No changes. 4 customers match the files." in out


def test_links_and_import_update_say_how_far_they_have_read(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        ws = _seeded(tmp_path, emu, 12)
        for command in ("links", "import --update"):
            code, out, err = _run(emu, ws, 10.0, command=command)
            quiet_code, quiet_out, quiet_err = _run(emu, ws, 0.0, command=command)
            assert code == quiet_code == 0, err
            assert err.splitlines() == [*LINES_OF_12, *quiet_err.splitlines()], command
            assert out == quiet_out, command


class _Recorder:
    """A `PlanObserver` that keeps what it was told, in order."""

    def __init__(self) -> None:
        self.told: list[str] = []
        self.customers: list[CustomerPlan] = []

    def reading(self, total: int) -> None:
        self.told.append(f"reading {total}")

    def planned(self, customer: CustomerPlan) -> None:
        self.told.append("planned")
        self.customers.append(customer)


async def test_the_observer_is_told_the_total_then_every_customer_not_planned_ones_too(
    tmp_path: Path,
) -> None:
    ids = ["cafe-a", "cafe-b", "cafe-c"]
    root = write_workspace(tmp_path, "newer", ids)
    recorder = _Recorder()
    async with in_process(speed=1000) as ip:
        client = LayersClient(
            BASE, KEY, transport=network_like(ip), clock=ip.clock.now, sleep=ip.sleep
        )
        async with client:
            for ext in ids:
                await seed_customer(client, ext, workspace="newer", people=ip.reader)
            pid = (await ip.projects("cafe-a"))[0]["id"]
        # cafe-a's project in a status this version does not know: it is not planned
        newer = NewerApi(network_like(ip), rf"^/v1/projects(/{pid})?$", "status", "suspended")
        client = LayersClient(BASE, KEY, transport=newer, clock=ip.clock.now, sleep=ip.sleep)
        async with client:
            workspace = load_workspace(root, now=ip.now())
            plan = await make_plan(client, workspace, now=ip.now(), observer=recorder)
    assert recorder.told == ["reading 3", "planned", "planned", "planned"]
    by_id = sorted(recorder.customers, key=lambda c: c.customer_external_id)
    assert by_id == sorted(plan.customers, key=lambda c: c.customer_external_id)
    assert [c.customer_external_id for c in plan.not_planned] == ["cafe-a"]
