"""`import` into a workspace whose `customers.include` does not match where import writes
(`customers/NAME.yaml`): those files are not written (the workspace would not read them, and a
`--prune` would archive the very projects just imported), each saying why and what to change."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import Api, run_cli
from tests.workspaces import write_workspace


def test_import_writes_no_file_the_include_globs_leave_out(tmp_path: Path) -> None:
    ws = write_workspace(
        tmp_path / "ws", name="ours", settings='customers:\n  include: ["clients/*.yml"]\n'
    )
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        api.post(
            "/v1/projects", {"name": "Lost", "customerExternalId": "lost-1", "timezone": "UTC"}
        )
        api.close()

        done = run_cli("import", str(ws), env=emu.env())

        out = done.stdout + done.stderr
        assert done.returncode == 0, out
        assert not (ws / "customers" / "lost-1.yaml").exists()
        assert "skipped  lost-1" in out
        assert "customers.include" in out
        assert "0 customer files written from 1 project" in out
        # with the globs widened, the same import writes it, and the workspace reads it
        (ws / "layers.yaml").write_text(
            'workspace: ours\ncustomers:\n  include: ["clients/*.yml", "customers/*.yaml"]\n'
        )
        again = run_cli("import", str(ws), env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
        assert (ws / "customers" / "lost-1.yaml").exists()
        checked = run_cli("validate", str(ws), env=emu.env())
        assert "1 customer valid" in checked.stdout, checked.stdout + checked.stderr
