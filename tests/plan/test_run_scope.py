"""`RunScope`: what a run covers, computed once from the command line (`cli/scope.run_scope`).

Each combination of flags refused before any request stays refused with the same message; the
ones accepted give the scope plan and apply then share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from layers_reconcile.cli.scope import run_scope
from layers_reconcile.config.loader import Workspace, load_workspace
from layers_reconcile.config.scope import Shard, in_shard
from layers_reconcile.errors import ConfigError, ReconcileError
from layers_reconcile.plan.scope import ALL, RunScope
from tests.plan.test_changed_since import git

IDS = [f"rs-{i}" for i in range(1, 7)]


def write(root: Path, *, name: str | None = "shop", ids: list[str] = IDS) -> Path:
    (root / "customers" / "eu").mkdir(parents=True)
    (root / "layers.yaml").write_text(f"workspace: {name}\n" if name else "defaults: {}\n")
    for i, ext in enumerate(ids):
        folder = root / "customers" / ("eu" if i % 2 else "")
        (folder / f"{ext}.yaml").write_text(
            f"customerExternalId: {ext}\nproject:\n  name: Shop {ext}\n"
        )
    return root


@pytest.fixture
def whole(tmp_path: Path) -> Workspace:
    return load_workspace(write(tmp_path / "ws"))


def test_no_filter_is_the_whole_workspace_and_looks_for_every_orphan(whole: Workspace) -> None:
    scope = run_scope(whole, (), None, None, prune=True, prune_cap=3, take_over="old", root="/r")
    assert scope == RunScope(prune=True, prune_cap=3, take_over="old", root="/r")
    assert scope.whole
    assert not scope.empty
    assert scope.orphan_candidates("shop", whole.named) is ALL
    assert scope.orphan_candidates(None, whole.named) is None  # an unnamed workspace stamps none


def test_customer_picks_it_and_looks_for_no_orphan(whole: Workspace) -> None:
    scope = run_scope(whole, ("rs-2",), None, None)
    assert scope.customers == scope.picked == ("rs-2",)
    assert not scope.whole
    assert scope.orphan_candidates("shop", whole.named) is None


def test_an_unknown_customer_is_refused_with_the_closest_name(whole: Workspace) -> None:
    with pytest.raises(ReconcileError) as refused:
        run_scope(whole, ("rs-1x",), None, None)
    assert str(refused.value).splitlines()[0] == (
        "--customer 'rs-1x': no customer file has this customerExternalId; did you mean 'rs-1'?"
    )
    assert str(refused.value).splitlines()[1].endswith("has 6 customer files)")


def test_prune_with_an_unknown_customer_looks_for_its_orphan_but_is_refused(
    whole: Workspace,
) -> None:
    with pytest.raises(ReconcileError) as refused:
        run_scope(whole, ("gone",), None, None, prune=True)
    assert str(refused.value) == (
        "--prune needs the whole workspace: --customer plans only the customers it names, so "
        "every other customer would look removed; drop --customer"
    )


def test_prune_on_a_folder_inside_the_workspace_is_refused_naming_the_workspace(
    tmp_path: Path,
) -> None:
    root = write(tmp_path / "ws")
    part = load_workspace(root / "customers" / "eu")
    assert run_scope(part, (), None, None).partial
    with pytest.raises(ReconcileError) as refused:
        run_scope(part, (), None, None, prune=True)
    assert str(refused.value) == (
        "--prune needs the whole workspace: PATH is one file or a folder inside the workspace at "
        f"{root.resolve()}, so the customers outside it would look removed; run it on the folder "
        "that holds layers.yaml"
    )


def test_prune_without_a_workspace_name_is_refused_at_layers_yaml(tmp_path: Path) -> None:
    unnamed = load_workspace(write(tmp_path / "ws", name=None))
    with pytest.raises(ConfigError) as refused:
        run_scope(unnamed, (), None, None, prune=True)
    (issue,) = refused.value.issues
    assert (issue.file, issue.line) == ("layers.yaml", 1)
    assert "set `workspace:` in layers.yaml first" in issue.message


def test_prune_over_no_customer_file_is_refused(tmp_path: Path) -> None:
    empty = load_workspace(write(tmp_path / "ws", ids=[]))
    with pytest.raises(ReconcileError) as refused:
        run_scope(empty, (), None, None, prune=True)
    assert str(refused.value) == (
        "--prune refused: the workspace has no customer files (a wrong PATH?), so it would "
        "archive every project of this workspace"
    )


def test_a_shard_of_the_whole_workspace_lists_its_share_of_the_orphans(whole: Workspace) -> None:
    shard = Shard(1, 2)
    scope = run_scope(whole, (), None, shard, prune=True)
    assert scope.customers == tuple(in_shard(IDS, shard))
    assert scope.whole_shard
    assert scope.orphans_in is not None
    assert scope.apply_customers == ()  # the shard's plan holds all it applies
    assert scope.rate_share == 0.5
    assert scope.orphan_candidates("shop", whole.named) is ALL


def test_a_shard_of_named_customers_is_no_shard_of_the_whole(whole: Workspace) -> None:
    scope = run_scope(whole, ("rs-1", "rs-2", "rs-3"), None, Shard(1, 1))
    assert sorted(scope.customers) == ["rs-1", "rs-2", "rs-3"]
    assert not scope.whole_shard
    assert scope.orphans_in is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_changed_since_plans_the_changed_file_and_the_deleted_one(tmp_path: Path) -> None:
    root = write(tmp_path / "ws")
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "t@example.com")):
        git(root, *args)
    git(root, "config", "user.name", "t")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    (root / "customers" / "rs-1.yaml").write_text(
        "customerExternalId: rs-1\nproject:\n  name: Shop one\n"
    )
    (root / "customers" / "eu" / "rs-2.yaml").unlink()
    scope = run_scope(load_workspace(root), (), "HEAD", None, prune=True)
    assert scope.customers == ("rs-1", "rs-2")
    assert scope.orphans_of == ("rs-2",)
    assert (scope.changed_since, scope.skipped) == ("HEAD", 4)
    assert scope.orphan_candidates("shop", {"rs-1"}) == frozenset({"rs-2"})
    with pytest.raises(ReconcileError, match="no-such-ref"):
        run_scope(load_workspace(root), (), "no-such-ref", None)


def test_a_filter_that_selects_nobody_is_empty(whole: Workspace) -> None:
    assert RunScope(changed_since="HEAD").empty
    assert not RunScope(changed_since="HEAD", everything=True).empty
    assert not RunScope(shard=Shard(1, 2), whole_shard=True).empty
