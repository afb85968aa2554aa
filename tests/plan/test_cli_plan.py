"""The `plan` command at the edge: validation before any API call, exit codes, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from tests.plan.seed import customer_yaml
from tests.workspaces import write_workspace

# Nothing listens here: a test that reaches the network would fail slowly and loudly.
DEAD_API = "http://127.0.0.1:9"


def workspace(root: Path, files: dict[str, str]) -> Path:
    (root / "customers").mkdir(parents=True)  # a new workspace: never one written before
    return write_workspace(root, {f"{n}.yaml": t for n, t in files.items()}, name="cli-tests")


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_config_errors_exit_1_with_file_line_col_before_any_api_call(tmp_path: Path) -> None:
    bad = "customerExternalId: a\nproject:\n  name: A\n  colour: blue\n"
    ws = workspace(tmp_path, {"a": bad})
    code, out, err = invoke("--api-url", DEAD_API, "--api-key", "lp_test_k", "plan", str(ws))
    assert code == 1
    assert "customers/a.yaml:4:" in err
    assert "colour" in err
    assert "Traceback" not in out + err
    assert "Could not reach" not in err  # it never tried


def test_no_api_key_is_one_clear_line(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("a")})
    code, _, err = invoke("--api-url", DEAD_API, "plan", str(ws))
    assert code == 1
    assert "No API key" in err
    assert "LAYERS_API_KEY" in err


def test_unknown_customer_filter_is_refused(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("a")})
    code, _, err = invoke(
        "--api-url", DEAD_API, "--api-key", "k", "plan", str(ws), "--customer", "zzz"
    )
    assert code == 1
    assert "'zzz'" in err


@pytest.mark.slow
def test_embedded_emulator_plans_and_detailed_exitcode_reports_changes(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("emb-a"), "b": customer_yaml("emb-b")})
    code, out, _ = invoke(
        "--emulator",
        "plan",
        str(ws),
        "--customer",
        "emb-b",
        "--format",
        "json",
        "--detailed-exitcode",
    )
    assert code == 2
    doc = json.loads(out)
    assert [c["customerExternalId"] for c in doc["customers"]] == ["emb-b"]
    steps = doc["customers"][0]["steps"]
    waits = [s for s in steps if s["action"] == "wait_on_person"]
    assert doc["summary"]["changes"] == len(steps) - len(waits)
    assert doc["summary"]["waitsOnPeople"] == len(waits)


@pytest.mark.slow
def test_text_is_plain_when_piped_and_with_no_color(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("plain-a")})
    code, out, _ = invoke("--emulator", "plan", str(ws), env={"NO_COLOR": "1"})
    assert code == 0
    assert "\x1b[" not in out
    assert "+ plain-a/project  create" in out
    assert out.rstrip().splitlines()[-1].startswith("Plan: 1 customer")


@pytest.mark.parametrize("narrow", ["customers/a.yaml", "customers"])
def test_prune_on_part_of_the_workspace_is_refused(tmp_path: Path, narrow: str) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("a"), "b": customer_yaml("b")})
    code, out, err = invoke(
        "--api-url", DEAD_API, "--api-key", "k", "plan", str(ws / narrow), "--prune"
    )
    assert code == 1
    assert "--prune needs the whole workspace" in err
    assert "Could not reach" not in err  # refused before any API call
    assert "Traceback" not in out + err


def test_prune_on_a_workspace_without_customer_files_is_refused(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {})
    code, _, err = invoke("--api-url", DEAD_API, "--api-key", "k", "plan", str(ws), "--prune")
    assert code == 1
    assert "no customer files" in err
    assert "Could not reach" not in err


def test_plan_on_a_folder_without_customer_files_warns(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {})
    _, _, err = invoke("--api-url", DEAD_API, "--api-key", "k", "plan", str(ws))
    assert f"no customer files found under {ws}" in err


def test_out_in_a_missing_folder_is_refused_before_planning(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a": customer_yaml("a")})
    out = tmp_path / "nonexistent" / "dir" / "p.json"
    code, stdout, err = invoke(
        "--api-url", DEAD_API, "--api-key", "k", "plan", str(ws), "--out", str(out)
    )
    assert code == 1
    assert "cannot write the plan to" in err
    assert "does not exist" in err
    assert "Could not reach" not in err  # checked before any API call
    assert "Traceback" not in stdout + err
