"""A plan file made by an older layers-reconcile is refused before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli

CASE = Path(__file__).resolve().parents[1] / "plan" / "cases" / "new-customer" / "plan.json"


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_format_is_refused_by_name_with_what_to_do(tmp_path: Path, version: int) -> None:
    # Format 1 carried a schedule's time only in the step's changes; format 2 had one target
    # model for every kind of step. Apply reads each kind's own target (format 3).
    doc = json.loads(CASE.read_text())
    doc["formatVersion"] = version
    old = tmp_path / "old-plan.json"
    old.write_text(json.dumps(doc))
    # Nothing listens at port 9: a request would fail loudly instead of the refusal.
    args = ["--api-url", "http://127.0.0.1:9", "--api-key", "k", "apply", str(old)]
    result = CliRunner().invoke(cli, [*args, "--auto-approve"])
    assert result.exit_code == 1
    assert f"{old}: plan formatVersion {version} is not 3" in result.stderr
    assert "make the plan again" in result.stderr
    assert "Traceback" not in result.output
