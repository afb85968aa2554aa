"""`--changed-since REF` compares from where the branch left REF (like `git diff REF...`), and
says why every customer is planned when layers.yaml changed."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.emulator.server import EmulatorServer
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan
from tests.plan.test_changed_since import (  # noqa: F401 (fixtures)
    IDS,
    git,
    plan_doc,
    planned,
    repo,
    server,
)


def test_a_branch_not_rebased_on_main_plans_only_its_own_changes(
    server: EmulatorServer,  # noqa: F811 (the imported fixture)
    repo: Path,  # noqa: F811
) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "customers" / "git-1.yaml").write_text(customer_yaml("git-1", tagline="Branch."))
    git(repo, "commit", "-qam", "feature: git-1")
    git(repo, "checkout", "-q", "main")
    (repo / "customers" / "git-3.yaml").write_text(customer_yaml("git-3", tagline="Main."))
    git(repo, "rm", "-q", "customers/git-4.yaml")
    git(repo, "commit", "-qam", "main moved on: git-3 edited, git-4 deleted")
    git(repo, "checkout", "-q", "feature")
    (repo / "customers" / "git-2.yaml").write_text(customer_yaml("git-2", tagline="Work tree."))

    doc = plan_doc(server, str(repo), "--changed-since", "main")

    # main's newer edit of git-3 and deletion of git-4 are not this branch's reverts
    assert planned(doc) == ["git-1", "git-2"]
    assert doc["orphans"] in (None, [])


def test_a_changed_layers_yaml_says_why_every_customer_is_planned(
    server: EmulatorServer,  # noqa: F811 (the imported fixture)
    repo: Path,  # noqa: F811
) -> None:
    (repo / "layers.yaml").write_text("workspace: plan-tests\nparallelism: 4\n")
    doc = plan_doc(server, str(repo), "--changed-since", "base")
    assert planned(doc) == IDS
    assert doc["settingsChanged"] is True
    why = "layers.yaml changed since base: every customer is planned"
    assert why in run_plan(server, str(repo), "--changed-since", "base").stdout
    markdown = run_plan(server, str(repo), "--changed-since", "base", "--format", "markdown")
    assert why in markdown.stdout
    shard = run_plan(server, str(repo), "--changed-since", "base", "--shard", "1/2")
    assert why in shard.stdout
