"""A wrong --api-url fails at once with a clear message, not after twenty seconds of retries."""

from __future__ import annotations

import time
from pathlib import Path

from tests.apply.support import DATA, cli_env, copy_workspace, free_port, run_cli


def test_a_refused_api_url_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    env = cli_env(f"http://127.0.0.1:{free_port()}", 1.0)  # nothing listens there
    for command in (("plan", str(ws)), ("apply", str(ws), "--auto-approve")):
        started = time.monotonic()
        result = run_cli(*command, env=env, timeout=60)
        took = time.monotonic() - started
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Could not reach the Layers API" in result.stderr
        assert "--api-url" in result.stderr
        assert took < 8, took  # it took ~19 s of backoff before
