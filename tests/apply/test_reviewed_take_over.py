"""`apply --reviewed` of a plan made with `--take-over`: the review showed the take-over, so the
merge takes the project over (without --take-over on the apply command line)."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.plan.ids import RESERVED_KEY
from tests.plan.test_boundaries import (  # noqa: F401 (the fixture)
    api,
    make_project,
    minimal,
    run,
    server,
    workspace,
)


def test_a_reviewed_take_over_is_carried_out(
    server: EmulatorServer,  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    theirs = make_project(server, "rev-take", {"workspace": "ws-before"})
    ws = workspace(tmp_path / "ws", "ws-after", {"r.yaml": minimal("rev-take")})
    reviewed = tmp_path / "reviewed.json"
    made = run(server, "plan", str(ws), "--take-over", "ws-before", "--out", str(reviewed))
    assert made.exit_code == 0, made.output
    applied = run(server, "apply", "--reviewed", str(reviewed), str(ws))
    assert applied.exit_code == 0, applied.output
    assert "Not reviewed" not in applied.output
    stamp = api(server, "GET", f"/v1/projects/{theirs}")["metadata"][RESERVED_KEY]
    assert stamp["workspace"] == "ws-after"
