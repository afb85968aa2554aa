"""The apply workflow's own shell steps, run with bash as GitHub runs them, against a real git
"origin": the last successful apply is a ref the workflow pushes, and the next run plans from
it, so merges whose runs GitHub canceled while pending are never skipped; and the merge takes
each merged pull request's plan, or stops saying to re-run it (the GitHub CLI faked on PATH)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import httpx
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


def step(name: str, workflow: str = "layers-apply.yml") -> dict[str, Any]:
    jobs: dict[str, dict[str, Any]] = load(workflow)["jobs"]
    steps = [s for job in jobs.values() for s in job["steps"]]
    return next(s for s in steps if s.get("name") == name)


class ApiEnv(TypedDict):
    """The API's variables for run_step: typed, so `**` cannot fill its other parameters."""

    LAYERS_API_URL: str
    LAYERS_API_KEY: str


def run_step(
    name: str,
    clone: Path,
    tmp: Path,
    *,
    fails: bool = False,
    workflow: str = "layers-apply.yml",
    **env: str,
) -> dict[str, str]:
    """Run the step's script as Actions does (`bash -e`), returning what it wrote to
    GITHUB_OUTPUT (and its stdout); `fails`: it must exit non-zero."""
    script = tmp / "step.sh"
    script.write_text(step(name, workflow)["run"])
    output = tmp / "github_output"
    output.write_text("")
    environment = {
        "PATH": env.pop("PATH", os.environ["PATH"]),
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
    assert (done.returncode != 0) == fails, done.stdout + done.stderr
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


FAKE_GH = r'''#!/usr/bin/env python3
"""A stand-in for the GitHub CLI: answers the three calls the apply workflow makes from
$FAKE_GH_STATE (JSON: pulls by commit, plan runs by head commit, plan files by run)."""
import json, os, shutil, sys
state = json.load(open(os.environ["FAKE_GH_STATE"]))
args = sys.argv[1:]
if args[0] == "api":
    sha = args[1].split("/commits/")[1].split("/")[0]
    pull = state["pulls"].get(sha)
    print(f"{pull[0]} {pull[1]}" if pull else "null null")
elif args[:2] == ["run", "list"]:
    print(state["runs"].get(args[args.index("--commit") + 1], ""))
elif args[:2] == ["run", "download"]:
    plan = state["plans"].get(args[2])
    if plan is None:
        sys.exit("no artifact")
    folder = args[args.index("--dir") + 1]
    os.makedirs(folder, exist_ok=True)
    shutil.copy(plan, os.path.join(folder, "plan.json"))
'''


def plan_at(path: Path, commit: str) -> str:
    path.write_text(json.dumps({"formatVersion": 2, "commit": commit, "customers": []}))
    return str(path)


def test_the_merge_fetches_each_pull_requests_plan_or_stops_saying_to_rerun_it(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shas = []
    for name in ("base", "merge #1", "merge #2"):
        git(repo, "commit", "-q", "--allow-empty", "-m", name)
        shas.append(git(repo, "rev-parse", "HEAD"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text("#!" + sys.executable + "\n" + FAKE_GH.split("\n", 1)[1])
    (bin_dir / "gh").chmod(0o755)
    state_file = tmp_path / "gh.json"

    def fetch(state: dict[str, Any], *, fails: bool = False) -> str:
        state_file.write_text(json.dumps(state))
        for old in (repo / "reviewed").glob("**/*"):
            if old.is_file():
                old.unlink()
        return run_step(
            "Fetch the reviewed plan of each pull request merged since",
            repo,
            tmp_path,
            fails=fails,
            PATH=f"{bin_dir}:{os.environ['PATH']}",
            FAKE_GH_STATE=str(state_file),
            SINCE=shas[0],
            ARTIFACT="layers-plan-examples",
            GITHUB_REPOSITORY="acme/layers-config",
            PLAN_WORKFLOW="layers-plan.yml",
        )["stdout"]

    pulls = {shas[1]: [1, "head1"], shas[2]: [2, "head2"]}
    plans = {"101": plan_at(tmp_path / "p1.json", "head1")}
    plans["102"] = plan_at(tmp_path / "p2.json", "head2")
    fetch({"pulls": pulls, "runs": {"head1": "101", "head2": "102"}, "plans": plans})
    args = (repo / "reviewed" / "args").read_text().split()
    assert args == ["--reviewed", "reviewed/2/plan.json", "--reviewed", "reviewed/1/plan.json"]
    assert (repo / "reviewed" / "prs").read_text().split() == ["2", "1"]

    # Pull request #1 was pushed to after its plan ran: the plan is older than its head.
    plans["101"] = plan_at(tmp_path / "p1.json", "older")
    said = fetch(
        {"pulls": pulls, "runs": {"head1": "101", "head2": "102"}, "plans": plans}, fails=True
    )
    assert "The plan of pull request #1 was made at older, older than its head commit" in said
    assert "Re-run the plan" in said

    # No successful plan run at #2's head (it failed, or never ran).
    said = fetch({"pulls": pulls, "runs": {"head1": "101"}, "plans": plans}, fails=True)
    assert "::error::No plan of pull request #2 at its head commit head2" in said
    assert "Re-run the plan" in said

    # A commit pushed straight to main: nothing reviewed it.
    said = fetch({"pulls": {shas[1]: [1, "head1"]}, "runs": {}, "plans": {}}, fails=True)
    assert "reached main without a merged pull request" in said


def test_orphans_held_back_by_the_cap_are_archived_by_the_next_run_not_forgotten(
    tmp_path: Path,
) -> None:
    """A pull request deletes more customer files than one run archives (--max-archives, 10 by
    default): the merge archives 10 and fails, so the workflow records nothing; the next run
    plans from the same commit and archives the rest (the reviewed plan showed them as held
    back for a later run), then records the merge."""
    ids = [f"gone-{i:02d}" for i in range(12)]
    files = {i: f"customerExternalId: {i}\nproject:\n  name: Customer {i}\n" for i in ids}
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    ws = workspace(work / WORKSPACE, files)
    (ws / "customers" / "kept.yaml").write_text(
        "customerExternalId: kept\nproject:\n  name: Kept\n"
    )
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-qm", "c1")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    c1 = git(work, "rev-parse", "HEAD")
    bin_dir = Path(sys.executable).parent  # layers-reconcile, as the install step leaves it
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as server:
        api = ApiEnv(LAYERS_API_URL=server.url, LAYERS_API_KEY=server.api_key)
        path = f"{bin_dir}:{os.environ['PATH']}"
        first = clone_at_main(origin, tmp_path / "run1")
        ref = run_step("Find the last successful apply", first, tmp_path)["ref"]
        applied = run_step("Apply", first, tmp_path, PATH=path, EVENT="workflow_dispatch", **api)
        assert "13 converged" in applied["stdout"], applied["stdout"]
        run_step("Record the applied commit", first, tmp_path, REF=ref)

        # The pull request deletes 12 files; its plan shows 10 archives and 2 held back.
        for name in ids:
            git(work, "rm", "-q", f"{WORKSPACE}/customers/{name}.yaml")
        git(work, "commit", "-qm", "c2: drop twelve customers")
        head = git(work, "rev-parse", "HEAD")
        planned = run_step(
            "Plan what the pull request changes",
            work,
            tmp_path,
            workflow="layers-plan.yml",
            PATH=path,
            BASE_SHA=c1,
            **api,
        )
        markdown = (work / "plan.md").read_text()
        assert "held back by the --max-archives cap" in markdown, planned["stdout"]
        reviewed = tmp_path / "reviewed-plan.json"
        shutil.move(work / "plan.json", reviewed)
        git(work, "push", "-q", "origin", "main")

        gh = tmp_path / "bin"
        gh.mkdir()
        (gh / "gh").write_text("#!" + sys.executable + "\n" + FAKE_GH.split("\n", 1)[1])
        (gh / "gh").chmod(0o755)
        state = tmp_path / "gh.json"
        state.write_text(
            json.dumps(
                {"pulls": {head: [7, head]}, "runs": {head: "701"}, "plans": {"701": str(reviewed)}}
            )
        )

        def merge_run(clone: Path, *, fails: bool) -> str:
            found = run_step("Find the last successful apply", clone, tmp_path)
            assert found["commit"] == c1  # the held-back run recorded nothing
            run_step(
                "Fetch the reviewed plan of each pull request merged since",
                clone,
                tmp_path,
                PATH=f"{gh}:{path}",
                FAKE_GH_STATE=str(state),
                SINCE=found["commit"],
                ARTIFACT=found["artifact"],
                GITHUB_REPOSITORY="acme/layers-config",
                PLAN_WORKFLOW="layers-plan.yml",
            )
            return run_step(
                "Apply",
                clone,
                tmp_path,
                fails=fails,
                PATH=path,
                EVENT="push",
                SINCE=found["commit"],
                **api,
            )["stdout"]

        said = merge_run(clone_at_main(origin, tmp_path / "run2"), fails=True)
        assert "2 orphans held back by --max-archives" in said, said
        assert "not reviewed" not in said.lower()
        assert archived(server) == 10
        # The job stops at the failed step: "Record the applied commit" does not run.

        said = merge_run(clone_at_main(origin, tmp_path / "run3"), fails=False)
        assert "held back" not in said, said
        assert archived(server) == 12
        third = tmp_path / "run3"
        run_step("Record the applied commit", third, tmp_path, REF=ref)
        found = run_step(
            "Find the last successful apply", clone_at_main(origin, tmp_path / "run4"), tmp_path
        )
        assert found["commit"] == head


def archived(server: EmulatorServer) -> int:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    answer = httpx.get(f"{server.url}/v1/projects", params={"limit": 200}, headers=headers)
    answer.raise_for_status()
    return sum(1 for p in answer.json()["items"] if p["status"] == "archived")
