"""`apply PLANFILE` of a plan whose orphan was edited to name another customer's project: the
archive is refused (the project is not that orphan's), never carried out on a customer whose
file is in the workspace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import EXAMPLES, Api, copy_workspace, run_cli


def test_an_orphan_edited_to_name_a_live_customer_s_project_archives_nothing(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    plan_file = tmp_path / "plan.json"
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        (ws / "customers/bluebird-bakery.yaml").unlink()
        made = run_cli("plan", str(ws), "--prune", "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        api = Api(emu.url)
        quinn = api.project("quinn-coffee-001")["id"]
        doc = json.loads(plan_file.read_text())
        (orphan,) = [
            c for c in doc["customers"] if c["customerExternalId"] == "bluebird-bakery-002"
        ]
        orphan["projectId"] = quinn
        orphan["steps"][0]["target"]["projectId"] = quinn
        plan_file.write_text(json.dumps(doc))

        applied = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)

        out = applied.stdout + applied.stderr
        assert applied.returncode == 1, out
        assert "not archived" in out
        assert "quinn-coffee-001" in out  # whose project it is
        assert api.project("quinn-coffee-001")["status"] == "active"
        assert api.project("bluebird-bakery-002")["status"] == "active"
        api.close()
