"""`write_whole`: a user's file rewritten keeps what an in-place write kept (its permissions, a
link leading to it), and a failure names the file and leaves nothing beside it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from layers_reconcile.cli.writes import write_whole


def test_a_rewritten_file_keeps_its_permissions_and_the_link_to_it(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)

    write_whole(link, "new\n")

    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_a_failed_write_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "acme.yaml"
    with pytest.raises(FileNotFoundError) as caught:
        write_whole(target, "text\n")
    assert caught.value.filename == str(target)
    assert not os.path.lexists(target)
