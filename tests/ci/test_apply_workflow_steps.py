"""The apply workflow's own shell steps, run with bash as GitHub runs them, against a real git
"origin": the last successful apply is a ref the workflow pushes, and the next run plans from
it, so merges whose runs GitHub canceled while pending are never skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ci.test_workflows import load
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan, workspace

if shutil.which("git") is None or shutil.which("bash") is None:  # pragma: no cover
    pytest.skip("git and bash are needed", allow_module_level=True)

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

WORKSPACE = "examples"  # what the shipped workflow names; the scratch repository uses it too


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = load("layers-apply.yml")["jobs"]["apply"]["steps"]
    return next(s for s in steps if s.get("name") == name)


def run_step(name: str, clone: Path, tmp: Path, **env: str) -> dict[str, str]:
    """Run the step's script as Actions does (`bash -e`), returning what it wrote to
    GITHUB_OUTPUT."""
    script = tmp / "step.sh"
    script.write_text(step(name)["run"])
    output = tmp / "github_output"
    output.write_text("")
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp),
        "GITHUB_OUTPUT": str(output),
        "WORKSPACE": WORKSPACE,
        **env,
    }
    done = subprocess.run(
        ["bash", "-e", str(script)],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.partition("=") for line in output.read_text().splitlines() if "=" in line]
    return {k: v for k, _, v in lines} | {"stdout": done.stdout}


def clone_at_main(origin: Path, into: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(into)], check=True)
    return into


def test_the_next_run_plans_every_merge_since_the_last_successful_apply(
    server: EmulatorServer, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    ws = workspace(work / WORKSPACE, {i: customer_yaml(i) for i in ("wf-a", "wf-b", "wf-c")})
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-qm", "c1")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    c1 = git(work, "rev-parse", "HEAD")

    # The first run: no record yet, so every customer; then it records c1 after success.
    first = clone_at_main(origin, tmp_path / "run1")
    found = run_step("Find the last successful apply", first, tmp_path)
    assert "commit" not in found
    assert "every customer is planned" in found["stdout"]
    ref = found["ref"]
    assert ref == f"refs/layers-reconcile/applied/{WORKSPACE}"
    run_step("Record the applied commit", first, tmp_path, REF=ref)
    assert "if" not in step("Record the applied commit")  # only after a successful apply

    # Two quick merges; the run of the first was canceled while pending.
    (ws / "customers" / "wf-a.yaml").write_text(customer_yaml("wf-a", tagline="Merge two."))
    git(work, "commit", "-qam", "c2")
    (ws / "customers" / "wf-b.yaml").write_text(customer_yaml("wf-b", tagline="Merge three."))
    git(work, "commit", "-qam", "c3")
    git(work, "push", "-q", "origin", "main")

    third = clone_at_main(origin, tmp_path / "run3")
    found = run_step("Find the last successful apply", third, tmp_path)
    assert found["commit"] == c1  # not c2, the push's previous head
    doc = run_plan(
        server, str(third / WORKSPACE), "--changed-since", found["commit"], "--format", "json"
    )
    planned = [c["customerExternalId"] for c in json.loads(doc.stdout)["customers"]]
    assert planned == ["wf-a", "wf-b"]  # both merges, not wf-c

    # History rewritten under the record: it no longer applies, so every customer again.
    git(work, "commit", "-q", "--amend", "-m", "c3 rewritten")
    git(work, "reset", "-q", "--soft", "HEAD~2")
    git(work, "commit", "-qm", "squashed")
    git(work, "push", "-q", "--force", "origin", "main")
    run_step("Record the applied commit", third, tmp_path, REF=ref)  # c3 recorded, then...
    fourth = clone_at_main(origin, tmp_path / "run4")
    found = run_step("Find the last successful apply", fourth, tmp_path)
    assert "commit" not in found
