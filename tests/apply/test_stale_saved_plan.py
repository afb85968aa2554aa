"""A saved plan whose customer file was deleted since is stale for that customer: refused like
the others, never an internal error (it was `AssertionError: no desired state`)."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import (
    EXAMPLES,
    Api,
    copy_workspace,
    run_cli,
)


def test_a_saved_plan_after_the_customer_file_was_deleted_is_stale(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    plan_file = tmp_path / "plan.json"
    with local_emulator(tmp_path) as emu:
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        (ws / "customers/bluebird-bakery.yaml").unlink()
        applied = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)
        out = applied.stdout + applied.stderr
        assert "AssertionError" not in out
        assert "this is a bug" not in out
        assert "refused: the saved plan is stale for this customer" in out
        assert "2 converged" in out
        api = Api(emu.url)
        try:
            assert api.projects("bluebird-bakery-002") == []  # nothing was done for it
        finally:
            api.close()
