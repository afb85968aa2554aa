"""The job summary gets whole parts only, as many as GitHub's 1 MiB per step holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.cli.scope import append_step_summary


def test_parts_past_the_limit_are_left_out_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    parts = [f"part {i}\n" + "x" * 400_000 for i in range(4)]
    append_step_summary(parts)
    text = summary.read_text()
    assert "part 1\n" in text
    assert "part 2\n" not in text
    assert "_2 more part(s) left out: the job summary holds 1 MiB._" in text
    assert len(text.encode()) < 1_000_000


def test_nothing_is_written_outside_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    append_step_summary(["anything"])
    assert list(tmp_path.iterdir()) == []
