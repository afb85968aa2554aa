"""`execute()` in-process on a manual clock: documented job durations and waits for people are
spent on the clock, not in wall time, and what apply proves over HTTP still holds."""

from __future__ import annotations

import time
from pathlib import Path

from layers_reconcile.apply.events import CustomerStatus, WaitingOnPerson
from tests.apply.inprocess import in_process
from tests.apply.support import DATA, EXAMPLES, copy_workspace, expected_counts


async def test_the_examples_converge_at_documented_speed_without_waiting(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    async with in_process() as emu:  # speed 1: jobs take as long as the guide says
        started_wall, started_clock = time.monotonic(), emu.clock.now()
        first = await emu.apply(ws, wait_for_people=600.0)  # auto-consent takes its time
        assert first.converged, [(o.customer, o.status, o.failure) for o in first.outcomes]
        assert first.changed
        spent = emu.clock.now() - started_clock
        assert spent >= 30, spent  # ingest and generation jobs ran their documented minutes
        assert time.monotonic() - started_wall < spent / 3
        await emu.assert_no_duplicates(expected_counts(ws))

        again = await emu.apply(ws)
        assert again.converged
        assert not again.changed
        await emu.assert_no_duplicates(expected_counts(ws))


async def test_a_person_gate_waits_its_wait_for_people_on_the_clock(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    async with in_process(auto_consent=False) as emu:
        started_wall, started_clock = time.monotonic(), emu.clock.now()
        report = await emu.apply(ws, wait_for_people=300.0)
        assert [o.status for o in report.outcomes] == [CustomerStatus.WAITING]
        assert emu.clock.now() - started_clock >= 300  # it waited the whole five minutes …
        assert time.monotonic() - started_wall < 60  # … on the clock only
        urls = [w.url or "" for w in report.outcomes[0].waits]
        assert any("/github/" in u for u in urls), urls
        assert any("/social/" in u for u in urls), urls


async def test_people_who_act_while_apply_waits_let_it_converge(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    path = ws / "customers/bluebird.yaml"
    path.write_text(path.read_text().replace("    brief:", "    approve: true\n    brief:"))
    shown: list[str] = []
    opened: list[str] = []

    def show(event: object) -> None:
        if isinstance(event, WaitingOnPerson) and event.wait.url:
            shown.append(event.wait.url)

    async with in_process(auto_consent=False) as emu:

        async def person() -> None:  # opens each URL the moment apply shows it
            for url in [u for u in shown if u not in opened]:
                opened.append(url)
                await emu.consent(url)

        emu.meanwhile.append(person)
        started_wall = time.monotonic()
        report = await emu.apply(ws, on_event=show, wait_for_people=60.0)
        assert [o.status for o in report.outcomes] == [CustomerStatus.CONVERGED], report
        assert len(opened) >= 2, opened  # the GitHub install and the TikTok consent
        assert time.monotonic() - started_wall < 30
        (project,) = await emu.projects("bluebird-labs-010")
        posts = await emu.items(f"/v1/projects/{project['id']}/scheduled-posts")
        assert len(posts) == 1
