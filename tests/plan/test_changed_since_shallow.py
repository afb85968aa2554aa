"""`--changed-since REF` in a shallow clone that lacks where the branch left REF: an error that
says to fetch the history, never a plan against REF itself (which shows REF's newer changes as
this branch's reverts, and the customers REF added as orphans to archive)."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.emulator.server import EmulatorServer
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan
from tests.plan.test_changed_since import (  # noqa: F401 (fixtures)
    git,
    plan_doc,
    planned,
    repo,
    server,
)


def _shallow_feature_clone(origin: Path, into: Path) -> Path:
    """A branch `feature` and a `main` that moved on since, cloned one commit deep each (what
    `actions/checkout` with its default fetch-depth: 1, then `git fetch --depth 1 origin main`
    leaves)."""
    git(origin, "checkout", "-q", "-b", "feature")
    (origin / "customers" / "git-1.yaml").write_text(customer_yaml("git-1", tagline="Branch."))
    git(origin, "commit", "-qam", "feature: git-1")
    git(origin, "checkout", "-q", "main")
    (origin / "customers" / "git-3.yaml").write_text(customer_yaml("git-3", tagline="Main."))
    (origin / "customers" / "git-9.yaml").write_text(customer_yaml("git-9"))
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "main moved on: git-3 edited, git-9 added")
    url = f"file://{origin}"
    git(into.parent, "clone", "-q", "--depth", "1", "--branch", "feature", url, into.name)
    git(into, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    return into


def test_a_shallow_clone_without_the_merge_base_is_refused_not_planned_against_the_ref(
    server: EmulatorServer,  # noqa: F811 (the imported fixture)
    repo: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    clone = _shallow_feature_clone(repo, tmp_path / "clone")

    result = run_plan(server, str(clone), "--changed-since", "origin/main", "--prune")

    assert result.exit_code == 1, result.output
    assert "shallow" in result.output
    assert "fetch-depth: 0" in result.output
    # nothing of main's (git-3's edit shown as a revert, git-9 archived) is planned
    assert "git-9" not in result.output
    assert "archive" not in result.stdout


def test_the_same_clone_deepened_plans_only_the_branch_s_own_change(
    server: EmulatorServer,  # noqa: F811 (the imported fixture)
    repo: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    clone = _shallow_feature_clone(repo, tmp_path / "clone")
    git(clone, "fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main")

    doc = plan_doc(server, str(clone), "--changed-since", "origin/main")

    assert planned(doc) == ["git-1"]
    assert doc["orphans"] in (None, [])
