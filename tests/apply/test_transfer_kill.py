"""Money moves exactly once: `kill -9` of apply at random points during the transfers to child
organizations, eight times, then a rerun: each child's ledger holds one allocation per transfer
id, and the parent's balance moved once per transfer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.apply.org_support import (
    OrgApi,
    child_yaml,
    flat_yaml,
    rev_b_process,
    with_api,
    write_workspace,
)
from tests.apply.support import kill_apply_after, run_cli

ALLOCATE = "POST /v1/organizations/{orgId}/credits/allocate"
CHILDREN = ("kid-a", "kid-b", "kid-c")
KILLS = 8


def _transfers(round_: int) -> tuple[tuple[str, int], ...]:
    """The file's transfers after `round_` rounds: two more per round, each its own amount."""
    return tuple((f"t{r}-{j}", 100 * r + 10 * j + 1) for r in range(round_ + 1) for j in range(2))


@pytest.mark.slow
def test_kill_9_during_transfers_then_rerun_moves_each_transfer_exactly_once(
    tmp_path: Path,
) -> None:
    rng = random.Random(18)
    ws = write_workspace(tmp_path / "ws", {c: child_yaml(c, transfers=()) for c in CHILDREN})
    # apply runs as a process here, killed at its n-th allocation (the emulator holds there);
    # every answer takes 40 ms (a network's round trip), so allocations overlap as they would
    with with_api(rev_b_process(tmp_path, "--latency-ms", "40")) as (emu, api):
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 0, first.stdout + first.stderr
        start = api.parent_balance()
        kills = 0
        for round_ in range(KILLS):
            write_workspace(ws, {c: child_yaml(c, transfers=_transfers(round_)) for c in CHILDREN})
            wanted = rng.randint(1, 2 * len(CHILDREN))  # some of this round's 6 allocations
            kills += kill_apply_after(emu, ws, ALLOCATE, wanted)
        assert kills == KILLS, f"only {kills} of {KILLS} runs were killed mid-transfer"

        rerun = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        final = _transfers(KILLS - 1)
        for ext in CHILDREN:
            child = api.child(ext)
            ledger = api.transfers(child["id"])
            assert ledger == {tid: [credits] for tid, credits in final}, ext
        out = api.parent_transfers_out()
        assert {tid: len(rows) for tid, rows in out.items()} == {
            tid: len(CHILDREN) for tid, _ in final
        }
        moved = len(CHILDREN) * sum(credits for _, credits in final)
        assert start - api.parent_balance() == moved
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr


@pytest.mark.slow
def test_kill_9_during_migrations_then_rerun_leaves_one_child_holding_the_project(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {c: flat_yaml(c) for c in CHILDREN})
    emu = rev_b_process(tmp_path, "--latency-ms", "150")  # a network's slower round trips
    api = OrgApi(emu.url)
    try:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 0, first.stdout + first.stderr
        flat = {p["customerExternalId"]: p["id"] for p in api.items("/v1/projects")}
        write_workspace(ws, {c: child_yaml(c) for c in CHILDREN})
        # the migrate makes the child: a kill right after it leaves one not labelled yet
        assert kill_apply_after(emu, ws, "POST /v1/organizations/migrate", 1)
        assert kill_apply_after(emu, ws, "POST /v1/organizations/migrate", 1)
        rerun = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert api.items("/v1/projects") == []
        assert len(api.children()) == len(CHILDREN)
        for ext in CHILDREN:
            child = api.child(ext)
            assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [flat[ext]]
            assert child["metadata"]["layersReconcileProject"] == flat[ext]  # noted, at last
            assert api.transfers(child["id"]) == {"initial": [500]}
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr
    finally:
        api.close()
        emu.stop()
