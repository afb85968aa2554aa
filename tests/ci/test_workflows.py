"""The shipped GitHub Actions workflows: actionlint passes, and what a partner relies on holds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def load(name: str) -> dict[str, object]:
    data: dict[str, object] = YAML(typ="safe").load((REPO / ".github/workflows" / name).read_text())
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


def test_actions_are_pinned_by_version_and_keys_come_from_secrets() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for ref in re.findall(r"uses:\s*(\S+)", text):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", ref), f"{path.name}: {ref}"
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
