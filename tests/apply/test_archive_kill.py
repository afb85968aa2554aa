"""Archives are irreversible: a kill -9 in the middle of `apply --prune` and a rerun archive each
orphan once and never a project a file still names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.support import EXAMPLES, Api, Emulator, copy_workspace, kill_apply_after, run_cli

ARCHIVE = "DELETE /v1/projects/{id}"


@pytest.mark.slow
def test_kill_9_during_prune_then_rerun_archives_each_orphan_once_and_nothing_else(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    emu = Emulator(db=tmp_path / "state.sqlite3", speed=600.0).start()
    api = Api(emu.url)
    try:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 0, first.stdout + first.stderr
        (ws / "customers" / "acme-fitness.yaml").unlink()
        (ws / "customers" / "quinns-coffee.yaml").unlink()

        killed = kill_apply_after(emu, ws, ARCHIVE, 1, "--prune")
        assert killed, "apply --prune finished right after its first archive"

        rerun = run_cli("apply", str(ws), "--prune", "--auto-approve", env=emu.env())
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        for gone in ("acme-fitness-003", "quinn-coffee-001"):
            (project,) = api.projects(gone)  # archived, never recreated
            assert api.get(f"/v1/projects/{project['id']}")["status"] == "archived", gone
            queued = [p for p in api.posts(project["id"]) if p["status"] == "queued"]
            assert queued == [], f"{gone}: an archived project keeps queued posts"
        assert api.project("bluebird-bakery-002")["status"] == "active"

        after = run_cli("plan", str(ws), "--prune", "--detailed-exitcode", env=emu.env())
        assert after.returncode == 0, after.stdout + after.stderr
    finally:
        api.close()
        emu.stop()
