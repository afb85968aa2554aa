"""`import` on a disk that fills up while it writes a customer file: one error line naming the
file, and no empty or cut-short file left behind (the next `plan` would fail on it, the next
`import` would keep it as the customer's file). A full disk is stood in for by a limit on the
size of the files the process may write (RLIMIT_FSIZE), which any user can set."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apply.support import Api, cli_args, emulator
from tests.workspaces import write_workspace

LIMIT = 64  # bytes: less than any customer file import writes


def _no_room() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _cli(env: dict[str, str], *args: str, full: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI as its own process (the limit is the process's); `full`: on a full disk."""
    return subprocess.run(
        cli_args(*args),
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=_no_room if full else None,  # sets a limit only
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_import_on_a_full_disk_names_the_file_and_leaves_none_half_written(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", name="ours")
    with emulator(tmp_path) as emu:
        api = Api(emu.url)
        api.post(
            "/v1/projects", {"name": "Filled", "customerExternalId": "full-1", "timezone": "UTC"}
        )
        api.close()

        done = _cli(emu.env(), "import", str(ws), full=True)

        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("error: "), done.stderr
        assert "full-1.yaml" in lines[0], done.stderr
        assert not (ws / "customers" / "full-1.yaml").exists()
        # with room again, the same import writes it whole
        again = _cli(emu.env(), "import", str(ws))
        assert again.returncode == 0, again.stdout + again.stderr
        assert "customerExternalId: full-1" in (ws / "customers" / "full-1.yaml").read_text()


SETTINGS = (
    "# the agency's settings, kept by hand: a full disk must not cut this file short\n"
    "parallelism: 4\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_import_on_a_full_disk_leaves_layers_yaml_as_it_was(tmp_path: Path) -> None:
    """import adds `workspace: NAME` to a layers.yaml that lacks it: rewriting the file on a full
    disk left it empty or cut short (the workspace then read no settings, or did not parse)."""
    ws = write_workspace(
        tmp_path / "ws",
        {"kept-1.yaml": "customerExternalId: kept-1\nproject:\n  name: Kept\n"},
        name="ours",
    )
    with emulator(tmp_path) as emu:
        made = _cli(emu.env(), "apply", str(ws), "--auto-approve")
        assert made.returncode == 0, made.stdout + made.stderr
        (ws / "customers" / "kept-1.yaml").unlink()
        (ws / "layers.yaml").write_text(SETTINGS)

        done = _cli(emu.env(), "import", str(ws), full=True)

        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert "layers.yaml" in done.stderr, done.stderr
        assert (ws / "layers.yaml").read_text() == SETTINGS
        assert not [p.name for p in ws.iterdir() if p.name.endswith(".tmp")]
