"""The commands run on the runtime a caller in Python hands in (`cli.main(obj=Runtime(...))`):
its transport carries every request and its sleep every wait, so the real CLI runs in-process
against the emulator's app and waits for people on the clock alone."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import DATA, EXAMPLES, copy_workspace, run_cli


def test_a_wait_for_people_is_spent_on_the_runtimes_clock(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    with local_emulator(tmp_path, auto_consent=False) as emu:
        started = emu.clock.now()
        waited = run_cli(
            "apply", str(ws), "--auto-approve", "--wait-for-people", "10m", env=emu.env()
        )
        assert waited.returncode == 3, waited.stdout + waited.stderr
        assert f"{emu.url}/_emulator/github/install?state=" in waited.stdout
        assert emu.clock.now() - started >= 600  # the ten minutes went by on the clock …
        assert emu.clock.skipped >= 300  # … most of them skipped, not waited


def test_plan_import_and_links_reach_the_runtimes_transport(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr
        links = run_cli("links", str(ws), env=emu.env())
        assert links.returncode == 0, links.stdout + links.stderr
        fresh = tmp_path / "imported"
        fresh.mkdir()
        imported = run_cli("import", str(fresh), env=emu.env())
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert len(list((fresh / "customers").glob("*.yaml"))) == 3
        routes = emu.stats()["routes"]
        assert routes.get("GET /v1/projects", 0) >= 3  # plan, links and import all asked
