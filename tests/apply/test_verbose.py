"""`-v` shows the client's retries: the apply command must not silence them again."""

from __future__ import annotations

import re
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
        result = run_cli_process("-v", "apply", str(ws), "--auto-approve", env=emu.env())
        assert result.returncode == 0, result.stdout + result.stderr
        # what was retried, what the last attempt met, which attempt, and the wait
        line = re.compile(
            r"^INFO layers_reconcile\.client\.sending: retrying (GET|POST|PATCH|DELETE) /v1/\S+ "
            r"\(it met [^)]+\): attempt [2-6] of 6(, in \d+\.\d s|, once the rate limit allows)?$",
            re.MULTILINE,
        )
        assert line.search(result.stderr), result.stderr
        # stamina's own line said only its event's name
        assert "stamina.retry_scheduled" not in result.stderr
        quiet = run_cli_process("plan", str(ws), env=emu.env())
        assert "retrying" not in quiet.stderr
