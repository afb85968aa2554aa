"""`plan --out` names a JSON file that `apply` reads as a plan: a `.yaml` or `.yml` name, which
apply reads as a customer file (its JSON is YAML too), is refused before anything is planned."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from tests.workspaces import write_workspace

CUSTOMER = "customerExternalId: out-1\nproject:\n  name: Out One\n"
KEY = "lp_test_OUTNAMEKEY000001_out-name-secret-part-0123456789abcdefgh"


@pytest.mark.parametrize("name", ["plan.yaml", "plan.YML"])
def test_a_plan_file_named_like_a_customer_file_is_refused(tmp_path: Path, name: str) -> None:
    ws = write_workspace(tmp_path / "ws", {"out-1.yaml": CUSTOMER})
    out = tmp_path / name
    result = CliRunner().invoke(
        cli,
        ["--api-url", "http://127.0.0.1:9", "--api-key", KEY, "plan", str(ws), "--out", str(out)],
    )
    assert result.exit_code == 1, result.output
    assert f"cannot write the plan to {out}" in result.output
    assert ".json" in result.output
    assert "Could not reach" not in result.output  # refused before any request
    assert not out.exists()
