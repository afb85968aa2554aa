"""`apply PLANFILE` applies the plan as it was reviewed: the options that choose what a fresh
plan covers (`--customer`, `--changed-since`, `--shard`) or adds (`--prune`, `--take-over`) are
refused with it, before any request, rather than skipping the plan's changes and saying "Every
customer has converged" (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.local import local_emulator
from tests.apply.support import EXAMPLES, Api, copy_workspace, run_cli


@pytest.mark.parametrize(
    "narrowing",
    [
        ("--customer", "quinn-coffee-001"),
        ("--changed-since", "HEAD"),
        ("--shard", "1/2"),
        ("--prune",),
        ("--take-over", "other-workspace"),
    ],
)
def test_a_saved_plan_is_not_narrowed_or_widened_by_apply_options(
    tmp_path: Path, narrowing: tuple[str, ...]
) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    plan_file = tmp_path / "plan.json"
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        bakery = ws / "customers/bluebird-bakery.yaml"
        bakery.write_text(bakery.read_text().replace("name: Bluebird Bakery", "name: Bluebird 2"))
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        emu.reset_stats()

        applied = run_cli("apply", str(plan_file), *narrowing, "--auto-approve", env=emu.env())

        out = applied.stdout + applied.stderr
        assert applied.returncode == 1, out
        assert "converged" not in out
        assert narrowing[0] in out
        assert "saved plan" in out
        assert emu.stats()["total"] == 0
        api = Api(emu.url)
        assert api.project("bluebird-bakery-002")["name"] == "Bluebird Bakery"
        api.close()
