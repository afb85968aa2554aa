"""`import` writes back customer files from actual state: they validate and plan no changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.apply.support import EXAMPLES, copy_workspace, emulator, run_cli


def test_imported_files_describe_the_converged_examples_exactly(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    new = tmp_path / "imported"
    new.mkdir()
    shutil.copy(ws / "layers.yaml", new / "layers.yaml")
    with emulator(tmp_path) as emu:
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert applied.returncode == 0, applied.stdout + applied.stderr
        imported = run_cli("import", str(new), env=emu.env())
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "3 customer files written" in imported.stdout
        quinn = (new / "customers/quinn-coffee-001.yaml").read_text()
        assert "installationId: 48271993" in quinn
        assert "influencer: Maya — PNW cafe regular" in quinn
        acme = (new / "customers/acme-fitness-003.yaml").read_text()
        assert "id: launch-week" in acme  # an entry's id: kept by apply, written back
        valid = run_cli("validate", str(new), env=emu.env())
        assert valid.returncode == 0, valid.stdout + valid.stderr
        plan = run_cli("plan", str(new), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr

        again = run_cli("import", str(new), env=emu.env())
        assert "kept" in again.stdout
        assert "0 customer files written" in again.stdout
