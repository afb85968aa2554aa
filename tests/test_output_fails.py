"""Standard output that cannot be written (a full disk: `> /dev/full`; a reader that went away:
`| head -1`) ends the command with one error line and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workspaces import write_workspace

CUSTOMER = "customerExternalId: out-1\nproject:\n  name: Out One\n"
KEY = "lp_test_OUTPUTFAILS00001_output-fails-secret-part-0123456789abcdef"


def _workspace(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "ws", {"out-1.yaml": CUSTOMER})


def _run(stdout: int, *args: str, key: str | None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAYERS_", "GITHUB_"))}
    if key is not None:
        env["LAYERS_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "layers_reconcile", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("key", [None, KEY])  # with a key, stdout is the redacting stream
def test_stdout_on_a_full_disk_is_one_error_line(tmp_path: Path, key: str | None) -> None:
    ws = _workspace(tmp_path)
    with open("/dev/full", "wb") as full:
        done = _run(full.fileno(), "validate", str(ws), key=key)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "cannot write the output" in stderr
    assert "No space left on device" in stderr


def test_stdout_closed_by_its_reader_ends_quietly_with_exit_1(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written (`| head -0`)
    try:
        done = _run(write, "validate", str(ws), key=KEY)
    finally:
        os.close(write)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


def test_a_file_the_command_cannot_write_is_one_error_line_naming_it(tmp_path: Path) -> None:
    """What a read-only or full file system does to import, --emulator and schema, shown with
    what runs as any user: the folder a command writes into is a file."""
    ws = _workspace(tmp_path)
    (ws / ".layers-emulator").write_text("not a folder\n")
    (ws / "schemas").write_text("not a folder\n")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "customers").write_text("not a folder\n")
    for args in (
        ("--emulator", "plan", str(ws)),
        ("schema", "--out", str(ws / "schemas" / "x")),
        ("--emulator", "import", str(bare)),
    ):
        done = _run(subprocess.PIPE, *args, key=None)
        stderr = done.stderr.decode()
        assert done.returncode == 1, (args, stderr)
        assert "Traceback" not in stderr, args
        assert stderr.startswith("error: "), (args, stderr)
        assert len(stderr.strip().splitlines()) == 1, stderr
