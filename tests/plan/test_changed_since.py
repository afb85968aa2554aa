"""`plan --changed-since REF` and `--shard I/N` in a real git repo, against the emulator over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from layers_reconcile.config.scope import Shard
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import (
    reset,
    run_plan,
    seed,
    stats,
    workspace,
    writes,
)

pytest.importorskip("layers_reconcile.emulator.server")
if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is not installed", allow_module_level=True)

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

IDS = [f"git-{i}" for i in range(5)]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        seed(running, IDS)
        yield running


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repo holding a workspace of converged customers, committed as `base`."""
    ws = workspace(tmp_path / "repo", {i: customer_yaml(i) for i in IDS})
    git(ws, "init", "-q", "-b", "main")
    git(ws, "config", "user.email", "t@example.com")
    git(ws, "config", "user.name", "t")
    git(ws, "add", ".")
    git(ws, "commit", "-q", "-m", "base")
    git(ws, "tag", "base")
    return ws


def plan_doc(server: EmulatorServer, *args: str) -> dict[str, Any]:
    result = run_plan(server, *args, "--format", "json")
    assert result.exit_code in (0, 2), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def planned(doc: dict[str, Any]) -> list[str]:
    return [c["customerExternalId"] for c in doc["customers"]]


def test_a_commit_touching_one_file_plans_only_that_customer(
    server: EmulatorServer, repo: Path
) -> None:
    file = repo / "customers" / "git-2.yaml"
    file.write_text(customer_yaml("git-2", tagline="A new tagline."))
    git(repo, "commit", "-qam", "change git-2")
    reset(server)
    doc = plan_doc(server, str(repo), "--changed-since", "base")
    routes = stats(server)
    assert planned(doc) == ["git-2"]
    assert doc["changedSince"] == "base"
    assert doc["skippedCustomers"] == 4
    assert doc["commit"] == git(repo, "rev-parse", "HEAD")
    assert doc["toolVersion"]
    assert doc["summary"]["changes"] == 1
    assert writes(routes) == {}
    assert sum(routes.values()) <= 10, routes

    text = run_plan(server, str(repo), "--changed-since", "base")
    assert "changed since base; skipped 4 unchanged customers" in text.stdout
    markdown = run_plan(server, str(repo), "--changed-since", "base", "--format", "markdown")
    assert "skipped 4 unchanged customers" in markdown.stdout


def test_uncommitted_and_untracked_changes_count(server: EmulatorServer, repo: Path) -> None:
    (repo / "customers" / "git-1.yaml").write_text(customer_yaml("git-1", tagline="Edited."))
    (repo / "customers" / "new-one.yaml").write_text(customer_yaml("new-one"))
    doc = plan_doc(server, str(repo), "--changed-since", "HEAD")
    assert planned(doc) == ["git-1", "new-one"]
    assert doc["skippedCustomers"] == 4


def test_nothing_changed_plans_nothing_and_sends_nothing(
    server: EmulatorServer, repo: Path
) -> None:
    reset(server)
    result = run_plan(server, str(repo), "--changed-since", "base", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "skipped 5 unchanged customers" in result.stdout
    assert stats(server) == {}


def test_a_deleted_file_is_reported_for_archive_under_prune(
    server: EmulatorServer, repo: Path
) -> None:
    git(repo, "rm", "-q", "customers/git-3.yaml")
    git(repo, "commit", "-qm", "drop git-3")
    reset(server)
    listed = plan_doc(server, str(repo), "--changed-since", "base")
    assert planned(listed) == []
    assert [o["customerExternalId"] for o in listed["orphans"]] == ["git-3"]
    assert sum(stats(server).values()) <= 3  # whoami and the one lookup: no projects-list read
    doc = plan_doc(server, str(repo), "--changed-since", "base", "--prune")
    assert planned(doc) == ["git-3"]
    (customer,) = doc["customers"]
    assert [s["action"] for s in customer["steps"]] == ["archive"]
    assert doc["skippedCustomers"] == 4


def test_a_change_to_layers_yaml_plans_everyone(server: EmulatorServer, repo: Path) -> None:
    (repo / "layers.yaml").write_text("workspace: plan-tests\nparallelism: 4\n")
    doc = plan_doc(server, str(repo), "--changed-since", "base")
    assert planned(doc) == IDS
    assert doc["skippedCustomers"] == 0


def test_outside_git_and_an_unknown_ref_are_clear_errors(
    server: EmulatorServer, tmp_path: Path, repo: Path
) -> None:
    plain = workspace(tmp_path / "plain", {"git-0": customer_yaml("git-0")})
    result = run_plan(server, str(plain), "--changed-since", "main")
    assert result.exit_code == 1
    assert "needs a git work tree" in result.stderr
    assert "Traceback" not in result.output
    result = run_plan(server, str(repo), "--changed-since", "no-such-branch")
    assert result.exit_code == 1
    assert "does not know the ref 'no-such-branch'" in result.stderr


def test_shards_are_disjoint_and_cover_the_workspace(server: EmulatorServer, repo: Path) -> None:
    seen: list[list[str]] = [
        planned(plan_doc(server, str(repo), "--shard", f"{i}/3")) for i in (1, 2, 3)
    ]
    flat = [c for shard in seen for c in shard]
    assert sorted(flat) == sorted(IDS)
    assert len(flat) == len(set(flat))
    assert plan_doc(server, str(repo), "--shard", "2/3")["shard"] == "2/3"


def test_the_shards_list_and_prune_every_orphan_between_them(
    server: EmulatorServer, repo: Path
) -> None:
    """A CI matrix of shards must not lose the orphans: each lists (and archives) its share."""
    (repo / "customers" / "git-3.yaml").unlink()
    docs = [plan_doc(server, str(repo), "--shard", f"{i}/3", "--prune") for i in (1, 2, 3)]
    orphans = [o["customerExternalId"] for d in docs for o in d["orphans"] or []]
    assert orphans == ["git-3"]
    archives = [
        c["customerExternalId"]
        for d in docs
        for c in d["customers"]
        if [s["action"] for s in c["steps"]] == ["archive"]
    ]
    assert archives == ["git-3"]


def test_orphans_the_cap_holds_back_do_not_read_as_unpruned(
    server: EmulatorServer, repo: Path
) -> None:
    for ext in ("git-3", "git-4"):
        (repo / "customers" / f"{ext}.yaml").unlink()
    result = run_plan(server, str(repo), "--prune", "--max-archives", "1")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "· last applied" in line]
    assert len(lines) == 2
    assert "archived by this plan" in lines[0]
    assert "held back by the --max-archives cap" in lines[1]
    assert "would be archived with --prune" not in result.stdout


def test_shard_split_is_stable_and_even() -> None:
    ids = [f"customer-{i:04d}" for i in range(2000)]
    shards = [Shard(i, 4) for i in range(1, 5)]
    counts = [sum(1 for c in ids if s.holds(c)) for s in shards]
    assert sum(counts) == len(ids)
    assert all(400 < n < 600 for n in counts), counts
    assert [c for c in ids if shards[0].holds(c)] == [
        c for c in reversed(ids) if shards[0].holds(c)
    ][::-1]


@pytest.mark.parametrize("bad", ["0/3", "4/3", "x/2", "3", "1/0"])
def test_bad_shard_is_a_usage_error(server: EmulatorServer, repo: Path, bad: str) -> None:
    result = run_plan(server, str(repo), "--shard", bad)
    assert result.exit_code != 0
    assert "I/N" in result.output


def test_apply_changed_since_converges_only_the_changed_customer(
    server: EmulatorServer, repo: Path
) -> None:
    from click.testing import CliRunner

    from layers_reconcile.cli.main import cli

    (repo / "customers" / "git-4.yaml").write_text(customer_yaml("git-4", tagline="Applied."))
    report = repo.parent / "report.md"
    args = ["--api-url", server.url, "--api-key", server.api_key, "apply", str(repo)]
    result = CliRunner().invoke(
        cli, [*args, "--changed-since", "base", "--auto-approve", "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "1 customer: 1 converged" in text
    assert "4 other customers unchanged." in text  # skipped by --changed-since
    assert "`git-4`" in text
    assert "git-0" not in text
    doc = plan_doc(server, str(repo), "--changed-since", "base")
    assert doc["summary"]["changes"] == 0
    git(repo, "commit", "-qam", "git-4 applied")
    nothing = CliRunner().invoke(cli, [*args, "--changed-since", "HEAD", "--auto-approve"])
    assert nothing.exit_code == 0, nothing.output
    assert "Nothing to apply: no customer file changed since HEAD" in nothing.output


def test_a_renamed_file_plans_its_customer_and_is_no_orphan(
    server: EmulatorServer, repo: Path
) -> None:
    (repo / "customers" / "team b").mkdir()
    git(repo, "mv", "customers/git-1.yaml", "customers/team b/git 1 ü.yaml")
    git(repo, "commit", "-qm", "move git-1")
    doc = plan_doc(server, str(repo), "--changed-since", "base")
    assert planned(doc) == ["git-1"]
    assert doc["summary"]["changes"] == 0
    assert not doc.get("orphans")


def test_an_id_edited_in_place_leaves_its_old_project_an_orphan(
    server: EmulatorServer, repo: Path
) -> None:
    # Same file, new customerExternalId: the old id's project is named by no file any more, as
    # the whole-workspace plan says; the changed-since plan must say so too (and archive it
    # under --prune), not leave it behind unseen.
    (repo / "customers" / "git-3.yaml").write_text(customer_yaml("git-3b"))
    git(repo, "commit", "-qam", "rename the id of git-3")
    listed = plan_doc(server, str(repo), "--changed-since", "base")
    assert planned(listed) == ["git-3b"]
    assert [o["customerExternalId"] for o in listed["orphans"]] == ["git-3"]
    doc = plan_doc(server, str(repo), "--changed-since", "base", "--prune")
    whole = plan_doc(server, str(repo), "--prune")
    archived = {
        c["customerExternalId"]
        for c in doc["customers"]
        if [s["action"] for s in c["steps"]] == ["archive"]
    }
    assert archived == {"git-3"}
    assert [o["customerExternalId"] for o in doc["orphans"]] == [
        o["customerExternalId"] for o in whole["orphans"]
    ]
