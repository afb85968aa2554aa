"""Jobs on an emulator started with `--speed 60`: noticed in seconds without `--job-speed`."""

from __future__ import annotations

import time
from pathlib import Path

from tests.apply.support import emulator, run_cli

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


def test_a_60x_emulator_is_noticed_in_seconds_without_job_speed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/fast.yaml").write_text(INGEST_ONLY)
    with emulator(tmp_path, speed=60.0) as emu:
        env = emu.env()
        del env["LAYERS_RECONCILE_JOB_SPEED"]  # the user's case: no hidden flag
        started = time.monotonic()
        result = run_cli("apply", str(ws), "--auto-approve", env=env, timeout=90)
        took = time.monotonic() - started
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        # the ingest runs 3-8 s at 60x; it used to be polled first at 3m18s
        assert took < 30, output
        polls = sum(n for r, n in emu.stats()["routes"].items() if r.startswith("GET /v1/jobs"))
        assert 1 <= polls <= 4, (emu.stats()["routes"], output)
