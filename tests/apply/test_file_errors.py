"""An apply error about what a file says names the file and line to fix."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import run_cli

UNKNOWN_INFLUENCER = """\
customerExternalId: ghost-face-080
project:
  name: Unknown influencer
  timezone: UTC
influencer: Nobody By This Name
"""


def test_an_unknown_influencer_name_fails_at_its_file_and_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/ghost.yaml").write_text(UNKNOWN_INFLUENCER)
    with local_emulator(tmp_path) as emu:
        result = run_cli("apply", "ws", "--auto-approve", env=emu.env(), cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert (
        "ws/customers/ghost.yaml:5:1: no influencer named or with id 'Nobody By This Name' in "
        "the project" in output
    )
