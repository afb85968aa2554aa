"""`--emulator`: the Layers emulator served in this process, its state kept under the workspace.

The state lives in `<workspace>/.layers-emulator/state.sqlite3` (the folder ignores itself for
git with a `.gitignore` of `*`), so a second run sees what the
first one did. Consents complete by themselves (`--auto-consent`) and jobs run EMBEDDED_SPEED
times faster than documented, so the whole onboarding converges unattended in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from layers_reconcile.apirevision import ApiRevision

EMBEDDED_SPEED = 60.0
STATE_DIR = ".layers-emulator"
STATE_FILE = "state.sqlite3"


def state_path(workspace_root: Path) -> Path:
    root = workspace_root if workspace_root.is_dir() else workspace_root.parent
    return root / STATE_DIR / STATE_FILE


def ensure_state_dir(folder: Path) -> None:
    """Create the state folder with a `.gitignore` of `*`: the workspace is usually a git repo,
    and the emulator's database must not end up in it."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# the embedded Layers emulator's state: never commit it\n*\n")


@contextmanager
def embedded_emulator(
    workspace_root: Path, *, speed: float = EMBEDDED_SPEED, revision: ApiRevision = "a"
) -> Iterator[tuple[str, str]]:
    """Serve the emulator on a free loopback port, speaking API `revision` (the one a run pins;
    Rev A, the guide's, otherwise); yield (url, api_key)."""
    from layers_reconcile.emulator.server import EmulatorServer
    from layers_reconcile.emulator.settings import EmulatorSettings

    db = state_path(workspace_root)
    ensure_state_dir(db.parent)
    settings = EmulatorSettings(
        port=0, db=db, speed=speed, auto_consent=True, api_revision=revision
    )
    with EmulatorServer(settings) as server:
        yield server.url, server.api_key
