"""Lost responses and failing requests, in this process on the manual clock: the whole examples
converge under `--fault-rate 0.3` with nothing made twice (the client's backoff and the jobs'
documented minutes are spent on the clock). The same over HTTP with the real CLI and emulator
processes, for two customers: `test_resilience.py` (slow)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from layers_reconcile.emulator.faults import AFTER_WORK, Faults
from tests.apply.inprocess import in_process, network_like
from tests.apply.support import EXAMPLES, copy_workspace, expected_counts
from tests.apply.test_content_revisions import BUILDER, REMIXES, workspace


async def test_lost_responses_and_failing_requests_converge_without_duplicates(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    async with in_process(fault_rate=0.3, fault_seed=7) as emu:
        emulator = emu.emulator
        report = await replace(emu, transport=network_like(emu)).apply(ws, wait_for_people=600.0)
        assert report.converged, [(o.customer, o.status, o.failure) for o in report.outcomes]
        counts = dict(emulator.faults.counts)
        assert sum(counts[kind] for kind in AFTER_WORK) > 0, counts  # work done, answer lost
        # Check back without faults: nothing left to do, nothing made twice.
        emulator.faults = Faults(0.0, None)
        again = await emu.apply(ws)
        assert again.converged
        assert not again.changed, [o.done for o in again.outcomes]
        await emu.assert_no_duplicates(expected_counts(ws))


async def test_lost_answers_on_rev_b_make_each_variant_once(tmp_path: Path) -> None:
    """Rev B's generation calls under `--fault-rate 0.3`: every format made once, and paid once.
    The same with the real processes over HTTP: `test_content_revisions.py` (slow)."""
    ws = workspace(tmp_path / "ws", BUILDER + REMIXES)
    async with in_process(api_revision="b", fault_rate=0.3, fault_seed=11) as emu:
        emulator = emu.emulator
        report = await replace(emu, transport=network_like(emu)).apply(ws, wait_for_people=600.0)
        assert report.converged, [(o.customer, o.status, o.failure) for o in report.outcomes]
        counts = dict(emulator.faults.counts)
        assert sum(counts[kind] for kind in AFTER_WORK) > 0, counts
        emulator.faults = Faults(0.0, None)
        again = await emu.apply(ws)
        assert again.converged
        assert not again.changed, [o.done for o in again.outcomes]
        (project,) = await emu.projects("quinn")
        made = Counter(
            c["format"] for c in await emu.items(f"/v1/projects/{project['id']}/content")
        )
        assert made == {
            "slideshow-builder": 2,
            "slideshow-remix": 1,
            "video-remix": 1,
            "ugc-remix": 1,
        }
        credits = (await emu.reader.get("/v1/credits")).json()
        assert credits["usedThisPeriod"] == 2 * 50 + 50 + 120 + 120
