"""Surviving anything: kill -9 at many points, lost responses, two applies at once.

Each test ends by asserting through the API: one project per customer, one container per
content key and variant, one post per schedule entry; and a plan with no changes.

The real CLI process against a real emulator process, in wall time: the long runs are `slow`
(their own step of .ci/run); lost responses run in the default suite in this process on the
manual clock (`test_faults_inprocess.py`).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.apply.support import (
    EXAMPLES,
    KEY,
    REVISIONS,
    Api,
    Emulator,
    assert_no_duplicates,
    copy_workspace,
    emulator,
    expected_counts,
    for_revision,
    kill9,
    kill_apply_after,
    revision_args,
    run_cli,
    run_cli_process,
    start_cli,
)

SPEED = 300.0  # slow enough that a kill lands inside the jobs

# Kill right after the first (or n-th) request of each kind the onboarding sends, in the order
# a run sends them; each rerun resumes from what the killed one left behind.
KILL_AFTER_A = [
    ("POST /v1/projects", 1),
    ("PATCH /v1/projects/{projectId}/approval-policy", 1),
    ("GET /v1/github/installation/install-url", 1),
    ("POST /v1/github/installation", 1),
    ("POST /v1/projects/{id}/ingest/github", 1),
    ("PATCH /v1/projects/{id}", 1),  # the ingest's job id, just recorded
    ("GET /v1/jobs/{jobId}", 1),  # during the ingest
    ("POST /v1/projects/{projectId}/influencers", 1),
    ("POST /v1/projects/{projectId}/content", 1),
    ("POST /v1/projects/{projectId}/content", 2),
    ("GET /v1/jobs/{jobId}", 1),  # during the content jobs
    ("POST /v1/content/{containerId}/approve", 1),
    ("POST /v1/content/{containerId}/schedule", 1),
    ("POST /v1/content/{containerId}/schedule", 3),
]
# Rev B: the review policy, and one generation route per format (the examples' content).
KILL_AFTER = {
    "a": KILL_AFTER_A,
    "b": [
        ("POST /v1/projects", 1),
        ("PATCH /v1/projects/{projectId}/content-review-policy", 1),
        ("GET /v1/github/installation/install-url", 1),
        ("POST /v1/github/installation", 1),
        ("POST /v1/projects/{id}/ingest/github", 1),
        ("PATCH /v1/projects/{id}", 1),
        ("GET /v1/jobs/{jobId}", 1),
        ("POST /v1/projects/{projectId}/influencers", 1),
        ("POST /v1/projects/{projectId}/content/slideshow-builder", 1),
        ("POST /v1/projects/{projectId}/content/video-remix", 1),
        ("POST /v1/projects/{projectId}/content/ugc-remix", 2),
        ("GET /v1/jobs/{jobId}", 1),
        ("POST /v1/content/{containerId}/approve", 1),
        ("POST /v1/content/{containerId}/schedule", 1),
        ("POST /v1/content/{containerId}/schedule", 3),
    ],
}


def _converges(emu: Emulator, ws: Path, *only: str) -> None:
    result = run_cli("apply", str(ws), "--auto-approve", *only, env=emu.env())
    assert result.returncode == 0, result.stdout + result.stderr
    plan = run_cli(*only, "plan", str(ws), "--detailed-exitcode", env=emu.env())
    assert plan.returncode == 0, plan.stdout + plan.stderr
    api = Api(emu.url)
    counts = expected_counts(ws)
    chosen = set(only[1::2])
    assert_no_duplicates(api, {c: n for c, n in counts.items() if not chosen or c in chosen})
    api.close()


@pytest.mark.slow
@pytest.mark.parametrize("revision", REVISIONS)
def test_kill_9_after_each_kind_of_request_then_rerun_converges_without_duplicates(
    tmp_path: Path, revision: str
) -> None:
    """Every kill point gets its kill -9, and every run after a kill converges without a
    duplicate. The kill lands at the point itself (the emulator holds there), but the run after
    a kill may converge without sending the next kill point's request again: that convergence
    is checked, and the kill point then gets its kill in a run from an empty account (which
    sends every request of the onboarding)."""
    ws = for_revision(copy_workspace(EXAMPLES, tmp_path / "ws"), revision)
    extra = revision_args(revision)
    fresh = 0
    emu = Emulator(db=tmp_path / "state-0.sqlite3", speed=SPEED, extra=extra).start()
    try:
        for route, count in KILL_AFTER[revision]:
            if kill_apply_after(emu, ws, route, count):
                continue  # killed while resuming what the previous kill left behind
            _converges(emu, ws)
            emu.stop()
            fresh += 1
            emu = Emulator(db=tmp_path / f"state-{fresh}.sqlite3", speed=SPEED, extra=extra).start()
            assert kill_apply_after(emu, ws, route, count), (
                f"a run from nothing sent no {route} x{count}"
            )
        _converges(emu, ws)
    finally:
        emu.stop()


@pytest.mark.parametrize(
    ("revision", "seed"),
    [("a", 1), ("a", 2), ("b", 1), ("b", 2)],
)
@pytest.mark.slow  # up to 8 apply processes each; by default: test_content_revisions' kill -9
def test_kill_9_at_random_moments_then_rerun_converges_without_duplicates(
    tmp_path: Path, revision: str, seed: int
) -> None:
    rng = random.Random(seed)
    ws = for_revision(copy_workspace(EXAMPLES, tmp_path / "ws"), revision)
    with emulator(tmp_path, speed=SPEED, extra=revision_args(revision)) as emu:
        for _ in range(8):
            proc = start_cli("apply", str(ws), "--auto-approve", env=emu.env())
            time.sleep(rng.uniform(0.3, 2.5))
            if proc.poll() is not None:
                proc.communicate()
                break
            kill9(proc)
        _converges(emu, ws)


@pytest.mark.slow
@pytest.mark.parametrize("revision", REVISIONS)
def test_lost_responses_and_failing_requests_converge_without_duplicates(
    tmp_path: Path, revision: str
) -> None:
    ws = for_revision(copy_workspace(EXAMPLES, tmp_path / "ws"), revision)
    extra = revision_args(revision)
    with emulator(tmp_path, fault_rate=0.3, fault_seed=7, extra=extra) as emu:
        # The guide's customer and the minimal one (the whole examples take a minute here:
        # the client backs off on every failure, as it should).
        only = ("--customer", "quinn-coffee-001", "--customer", "bluebird-bakery-002")
        result = run_cli_process(
            "apply", str(ws), "--auto-approve", *only, env=emu.env(), timeout=240
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert KEY not in output
        faults = emu.stats()["faults"]
        assert faults["lost_500"] + faults["lost_drop"] > 0, faults
    # Check back without faults: the same state file under a clean emulator.
    again = Emulator(db=emu.db, extra=extra).start()
    try:
        _converges(again, ws, *only)
    finally:
        again.stop()


def test_two_applies_at_once_create_nothing_twice(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with emulator(tmp_path) as emu:
        first = start_cli("apply", str(ws), "--auto-approve", env=emu.env())
        second = start_cli("apply", str(ws), "--auto-approve", env=emu.env())
        outputs = [p.communicate(timeout=180)[0] for p in (first, second)]
        assert [first.returncode, second.returncode] == [0, 0], outputs
        _converges(emu, ws)
