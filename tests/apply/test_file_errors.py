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


BLANK_TEXT = """\
customerExternalId: blank-text-081
project:
  name: "   "
  timezone: UTC
social:
  tiktok: {returnUrl: "https://app.example.com/done"}
content:
  launch:
    brief:
      hook: " "
      valuePropositions: [Fast, "\\u00a0"]
      targetPlatforms: [tiktok]
    schedule:
      - {account: tiktok, mode: direct_publish, at: "2027-03-01T22:00:00Z", captionOverride: "\\t"}
"""
BLANK_AT = [
    "ws/customers/blank.yaml:3:9: 'name' is only spaces: write it",
    "ws/customers/blank.yaml:10:13: 'hook' is only spaces: write it, or remove the key to leave "
    "it unmanaged",
    "ws/customers/blank.yaml:11:33: entry 2 of 'valuePropositions' is only spaces: write it, or "
    "remove the entry",
    "ws/customers/blank.yaml:14:94: 'captionOverride' is only spaces: write it, or remove the key",
]


def test_text_of_spaces_only_is_refused_at_its_line_like_empty_text(tmp_path: Path) -> None:
    """validate, plan and apply refuse it alike, before any request."""
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: blanks\n")
    (ws / "customers/blank.yaml").write_text(BLANK_TEXT)
    with local_emulator(tmp_path) as emu:
        for command in (("validate",), ("plan",), ("apply", "--auto-approve")):
            emu.reset_stats()
            result = run_cli(*command, "ws", env=emu.env(), cwd=tmp_path)
            output = result.stdout + result.stderr
            assert result.returncode == 1, output
            for said in BLANK_AT:
                assert said in output, output
            assert "Traceback" not in output
            assert emu.stats()["total"] == 0
