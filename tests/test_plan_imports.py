"""What a `plan` process imports: nothing that only apply, the emulator or httpx's own CLI needs.

Every import runs before a plan's first request, once per run; these are the modules a
regression would pull back in (`apply/__init__` importing the executor, a module-level import
of deepdiff, httpx loading its command-line client). The plan runs as the console script runs
it (`layers_reconcile.cli.main:main`), in its own process, against the emulator over HTTP.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from layers_reconcile import collector
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import seed, workspace

IDS = ["imports-1", "imports-2"]

# The console script, plus (written at exit to argv[1]) the modules loaded and whether the
# garbage collector runs (the CLI pauses it while a command's modules are imported).
RUN_PLAN = """
import atexit, gc, json, sys
out = sys.argv.pop(1)
seen = lambda: {
    "modules": sorted(sys.modules), "collecting": gc.isenabled(), "threshold": gc.get_threshold()
}
atexit.register(lambda: open(out, "w").write(json.dumps(seen())))
from layers_reconcile.cli.main import main
sys.argv[0] = "layers-reconcile"
main()
"""

NOT_FOR_PLAN = (
    "layers_reconcile.apply.executor",  # apply's: the executor, its steps, its callback server
    "layers_reconcile.apply.steps",
    "layers_reconcile.apply.customer",
    "layers_reconcile.apply.callback",
    "layers_reconcile.apply.importer",
    "layers_reconcile.cli.apply",  # the other commands
    "layers_reconcile.cli.emulator",
    "layers_reconcile.cli.import_cmd",
    "layers_reconcile.cli.links",
    "layers_reconcile.emulator",
    "uvicorn",  # the callback server's and the emulator's
    "starlette",
    "deepdiff",  # only when a field differs: a converged plan compares none
    "rich.progress",  # httpx's command-line client (httpx._main)
    "rich.syntax",
    "pygments",
)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        seed(running, IDS)
        yield running


def plan_process(server: EmulatorServer, ws: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_PLAN, str(out), "--api-url", server.url, "plan", str(ws)],
        env={"LAYERS_API_KEY": server.api_key, "NO_COLOR": "1", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No changes. 2 customers match the files." in done.stdout, done.stdout
    seen: dict[str, Any] = json.loads(out.read_text())
    return seen


def test_a_converged_plan_imports_nothing_only_apply_or_the_emulator_needs(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path / "ws", {i: customer_yaml(i) for i in IDS})
    seen = plan_process(server, ws, tmp_path / "seen.json")
    assert "layers_reconcile.plan.planner" in seen["modules"]  # it did plan
    loaded = sorted(m for m in seen["modules"] if m.startswith(NOT_FOR_PLAN))
    assert loaded == []
    assert seen["collecting"]  # paused for the imports only
    # the console script's own policy: young objects collected every THRESHOLD allocations
    assert seen["threshold"][0] == collector.THRESHOLD != gc.get_threshold()[0]
