"""GITHUB_STEP_SUMMARY naming anything but a regular file (a FIFO nobody reads, a FIFO someone
reads, a directory, a device) is refused with one line naming the variable, exit 1, and never
waited on; a missing file is created, as GitHub's own is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from layers_reconcile.cli.scope import append_step_summary, check_step_summary
from layers_reconcile.errors import ReconcileError
from tests.apply.local import local_emulator
from tests.apply.support import EXAMPLES, copy_workspace, run_cli, run_cli_process

REFUSED = "it is a FIFO, not a regular file; point GITHUB_STEP_SUMMARY at a file"


def _plan(tmp_path: Path, summary: Path) -> tuple[int, str, str]:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAYERS_", "GITHUB_"))}
    env.update(NO_COLOR="1", COLUMNS="200", GITHUB_STEP_SUMMARY=str(summary))
    # the process of its own, with a timeout: on the code as it was, the command hung on the FIFO
    done = run_cli_process("--emulator", "plan", str(ws), env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_a_fifo_nobody_reads_is_refused_in_one_line_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "summary"
    os.mkfifo(fifo)
    code, out, err = _plan(tmp_path, fifo)
    assert code == 1, out + err
    assert out == ""  # refused before the plan was made
    assert err.strip().splitlines() == [
        f"error: cannot append to GITHUB_STEP_SUMMARY ({fifo}): {REFUSED} (it is created when "
        "missing), or unset it"
    ]


def test_a_missing_summary_file_is_created(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, err = _plan(tmp_path, summary)
    assert code == 0, out + err
    assert "acme-fitness-003" in summary.read_text(encoding="utf-8")


def test_a_fifo_someone_reads_is_refused_too_and_gets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "summary"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(fifo))
        with pytest.raises(ReconcileError, match=REFUSED):
            append_step_summary(["# the plan"])
        assert os.read(reader, 100) == b""
    finally:
        os.close(reader)


@pytest.mark.parametrize(("target", "kind"), [("folder", "a directory"), ("/dev/zero", "a device")])
def test_a_directory_or_a_device_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, kind: str
) -> None:
    path = Path(target)
    if target == "folder":
        path = tmp_path / target
        path.mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    with pytest.raises(ReconcileError, match=f"it is {kind}, not a regular file"):
        append_step_summary(["# the plan"])


def test_dev_null_throws_the_summary_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """How Unix throws output away: taken, not refused as a device."""
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", os.devnull)
    check_step_summary()
    append_step_summary(["# the plan"])


def test_apply_refuses_a_summary_it_could_never_write_before_any_request(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    folder = tmp_path / "summary"
    folder.mkdir()
    with local_emulator(tmp_path) as emu:
        emu.reset_stats()
        env = {**emu.env(), "GITHUB_STEP_SUMMARY": str(folder)}
        applied = run_cli("apply", str(ws), "--auto-approve", env=env)
        requests = emu.stats()["routes"]
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert " ".join(applied.stderr.split()) == (
        f"error: cannot append to GITHUB_STEP_SUMMARY ({folder}): it is a directory, not a "
        "regular file; point GITHUB_STEP_SUMMARY at a file (it is created when missing), or "
        "unset it"
    )
    assert not any(requests.values()), requests  # nothing read, nothing changed
