"""A return URL is never guessed against a real API: a consent or an install with no
`returnUrl` is an error at its file and line before anything is sent; the embedded emulator
(`--emulator`) keeps its loopback default."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import run_cli

NO_RETURN_URL = """\
customerExternalId: no-return-070
project:
  name: No return URL
  timezone: UTC
social:
  tiktok: {}
"""


def test_plan_and_apply_refuse_a_missing_return_url_except_on_the_embedded_emulator(
    tmp_path: Path,
) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/no-return.yaml").write_text(NO_RETURN_URL)
    message = (
        "customers/no-return.yaml:6:3: social.tiktok.returnUrl is missing: the customer lands "
        "there after consenting; set it here or under `defaults` in layers.yaml"
    )
    with local_emulator(tmp_path, auto_consent=False) as emu:
        planned = run_cli("plan", "ws", env=emu.env(), cwd=tmp_path)
        assert planned.returncode == 1, planned.stdout + planned.stderr
        assert message in planned.stderr
        applied = run_cli("apply", "ws", "--auto-approve", env=emu.env(), cwd=tmp_path)
        assert applied.returncode == 1, applied.stdout + applied.stderr
        assert message in applied.stderr
        writes = [r for r in emu.stats()["routes"] if not r.startswith("GET ")]
        assert writes == []  # refused before anything was sent
        assert run_cli("validate", "ws", env=emu.env(), cwd=tmp_path).returncode == 1
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200"}
    embedded = run_cli("plan", "ws", "--emulator", env=env, cwd=tmp_path)
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr
    assert "social/tiktok" in embedded.stdout
    assert run_cli("validate", "ws", "--emulator", env=env, cwd=tmp_path).returncode == 0
