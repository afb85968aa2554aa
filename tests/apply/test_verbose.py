"""`-v` shows the client's retries: the apply command must not silence them again."""

from __future__ import annotations

from pathlib import Path

from tests.apply.support import emulator, run_cli_process

CUSTOMER = """\
customerExternalId: verbose-001
project:
  name: Retries are shown
  timezone: UTC
"""


def test_apply_with_v_logs_the_retries_it_makes(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/verbose.yaml").write_text(CUSTOMER)
    # A third of the requests fail (seeded): some retry is certain, and each is logged.
    with emulator(tmp_path, fault_rate=0.3, fault_seed=3) as emu:
        # Its own process: stamina logs through logging's last resort handler to stderr there.
        result = run_cli_process("-v", "apply", str(ws), "--auto-approve", env=emu.env())
        assert result.returncode == 0, result.stdout + result.stderr
        assert "stamina.retry_scheduled" in result.stderr, result.stderr
        quiet = run_cli_process("plan", str(ws), env=emu.env())
        assert "stamina.retry_scheduled" not in quiet.stderr
