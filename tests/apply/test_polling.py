"""Jobs on an emulator started with `--speed 60`: noticed in seconds without `--job-speed`.

In-process on a manual clock (`tests/apply/inprocess.py`): the seconds are the clock's, the
request counts are the emulator's own."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.apply.events import CustomerStatus
from tests.apply.inprocess import in_process

INGEST_ONLY = """\
customerExternalId: fast-ingest-040
project:
  name: Fast ingest
  timezone: UTC
github:
  installationId: 48271993
  returnUrl: https://app.your-partner.com/github/callback
  repo: quinns-coffee/fast-app
  branch: main
  platforms: [ios, web]
"""


async def test_a_60x_emulator_is_noticed_in_seconds_without_job_speed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/fast.yaml").write_text(INGEST_ONLY)
    async with in_process(speed=60.0) as emu:
        started = emu.clock.now()
        report = await emu.apply(ws)  # job_time_scale 1: the user's case, no hidden flag
        took = emu.clock.now() - started
        assert [o.status for o in report.outcomes] == [CustomerStatus.CONVERGED]
        # the ingest runs 3-8 s at 60x; it used to be polled first at 3m18s
        assert took < 30, took
        stats = (await emu.reader.get("/_emulator/stats")).json()
        polls = sum(n for r, n in stats["routes"].items() if r.startswith("GET /v1/jobs"))
        assert 1 <= polls <= 4, stats["routes"]
