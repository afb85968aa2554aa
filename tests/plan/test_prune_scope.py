"""Orphans are decided against every file of the workspace, whatever narrows the run (issue 14.1).

A committed, applied workspace in a real git repository; on a branch, one file is renamed, two
are moved across folders and one is deleted. Every combination of PATH (and the working
directory), `--changed-since`, `--shard`, `--prune` and `--customer` runs the real CLI against
the emulator over HTTP: the renamed and moved customers are never orphans, `--prune` is refused on
any part of the workspace, and from the root it archives only the customer no file names.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from layers_reconcile.config.scope import Shard
from layers_reconcile.plan.ids import project_id_for
from tests.apply.local import LocalEmulator, local_emulator, local_http, runtime_for
from tests.plan.test_against_emulator import writes
from tests.plan.test_changed_since import git

if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is not installed", allow_module_level=True)

REFUSED = "--prune needs the whole workspace"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEmulator]:
    """The emulator in this process (`tests.apply.local`); the CLI runs on its runtime."""
    tmp = tmp_path_factory.mktemp("emulator")
    with local_emulator(tmp, speed=1000, auto_consent=False) as running:
        yield running


def cli_run(server: LocalEmulator, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["--api-url", server.url, "--api-key", server.api_key, *args],
        obj=runtime_for(server.url),
    )


def stats(server: LocalEmulator) -> dict[str, int]:
    routes: dict[str, int] = server.stats()["routes"]
    return routes


@dataclass(frozen=True)
class Moved:
    """The repository after the branch: who moved where, and who is really gone."""

    repo: Path
    renamed: str  # customers/us/P-02.yaml -> customers/us/P-two.yaml
    moved_to_us: str  # customers/eu/P-05.yaml -> customers/us/
    moved_to_eu: str  # customers/us/P-03.yaml -> customers/eu/
    deleted: str  # customers/eu/P-08.yaml, deleted

    @property
    def kept(self) -> set[str]:
        return {self.renamed, self.moved_to_us, self.moved_to_eu}


def moved_workspace(server: LocalEmulator, root: Path, prefix: str) -> Moved:
    """Eight customers in customers/us and customers/eu, committed on main and applied; then a
    branch `feature` that renames one file, moves one each way across the folders and deletes
    one, committed."""
    ids = [f"{prefix}-{i:02d}" for i in range(1, 9)]
    repo = root / "repo"
    (repo / "customers" / "us").mkdir(parents=True)
    (repo / "customers" / "eu").mkdir()
    (repo / "layers.yaml").write_text(f"workspace: {prefix}\n")
    for i, ext in enumerate(ids):
        folder = "us" if i < 4 else "eu"
        (repo / "customers" / folder / f"{ext}.yaml").write_text(
            f"customerExternalId: {ext}\nproject:\n  name: Bakery {ext}\n"
        )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    applied = cli_run(server, "apply", str(repo), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    git(repo, "checkout", "-qb", "feature")
    git(repo, "mv", f"customers/us/{ids[1]}.yaml", f"customers/us/{prefix}-two.yaml")
    git(repo, "mv", f"customers/eu/{ids[4]}.yaml", "customers/us/")
    git(repo, "mv", f"customers/us/{ids[2]}.yaml", "customers/eu/")
    git(repo, "rm", "-q", f"customers/eu/{ids[7]}.yaml")
    git(repo, "commit", "-qm", "rename, move across folders, delete")
    return Moved(repo, ids[1], ids[4], ids[2], ids[7])


@pytest.fixture(scope="module")
def moved(server: LocalEmulator, tmp_path_factory: pytest.TempPathFactory) -> Moved:
    return moved_workspace(server, tmp_path_factory.mktemp("prune-scope"), "psc")


# (working directory below the repo, PATH arguments): the whole workspace first, then its parts.
WHOLE = [("", ()), ("", (".",))]
PARTS = [
    ("customers/eu", ()),  # `cd customers/eu && plan`: the issue's case
    ("", ("customers/eu",)),
    ("", ("customers/us",)),
    ("", ("customers/us/psc-05.yaml",)),
    ("", ("customers/us", "customers/eu")),  # every file, but named as parts
]
EU_ONLY = PARTS[:2]
MATRIX = list(
    itertools.product(
        WHOLE + PARTS,
        (None, "main"),  # --changed-since
        (None, "1/2", "2/2"),  # --shard
        (False, True),  # --prune
        (None, "psc-05"),  # --customer
    )
)


def label(case: tuple[Any, ...]) -> str:
    (cwd, paths), since, shard, prune, customer = case
    return "-".join(
        [
            f"cd[{cwd}]" if cwd else "root",
            "+".join(paths) or "noPATH",
            f"since[{since}]" if since else "all",
            f"shard[{shard}]" if shard else "noshard",
            "prune" if prune else "list",
            f"customer[{customer}]" if customer else "everyone",
        ]
    )


@pytest.mark.parametrize("case", MATRIX, ids=[label(c) for c in MATRIX])
def test_a_renamed_or_moved_file_is_never_an_orphan_and_prune_needs_the_whole_workspace(
    server: LocalEmulator,
    moved: Moved,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[tuple[str, tuple[str, ...]], str | None, str | None, bool, str | None],
) -> None:
    (cwd, paths), since, shard, prune, customer = case
    monkeypatch.chdir(moved.repo / cwd)
    args = ["plan", *paths, "--format", "json"]
    args += ["--changed-since", since] if since else []
    args += ["--shard", shard] if shard else []
    args += ["--prune"] if prune else []
    args += ["--customer", customer] if customer else []
    partial = (cwd, paths) not in WHOLE or customer is not None
    server.reset_stats()
    result = cli_run(server, *args)

    if prune and partial:
        assert result.exit_code == 1, result.output
        assert REFUSED in result.stderr
        assert ":1:1" not in result.stderr  # the folder is named, not a fake position in it
        assert result.stdout == ""
        assert stats(server) == {}  # refused before any request
        return
    if customer is not None and (cwd, paths) in EU_ONLY:  # its file moved out to customers/us
        assert result.exit_code == 1, result.output
        assert "no customer file has this customerExternalId" in result.stderr
        return
    assert result.exit_code in (0, 2), result.output
    assert writes(stats(server)) == {}
    doc: dict[str, Any] = json.loads(result.stdout)
    orphans = [o["customerExternalId"] for o in doc["orphans"] or []]
    archived = [
        c["customerExternalId"]
        for c in doc["customers"]
        if any(s["action"] == "archive" for s in c["steps"])
    ]
    assert not moved.kept & set(orphans), orphans
    assert not moved.kept & set(archived), archived
    assert set(orphans) <= {moved.deleted}
    in_shard = shard is None or Shard(int(shard[0]), 2).holds(moved.deleted)
    if not partial:  # the whole workspace (or its shard): the deleted customer's project
        assert orphans == ([moved.deleted] if in_shard else [])
        assert archived == ([moved.deleted] if prune and in_shard else [])
    else:
        assert archived == []


def project_status(server: LocalEmulator, ext: str) -> str:
    with local_http(server.url, server.api_key) as http:
        got = http.get(f"/v1/projects/{project_id_for(ext)}")
    got.raise_for_status()
    return str(got.json()["status"])


def test_the_issues_sub_folder_apply_is_refused_and_the_root_one_archives_only_the_deleted(
    server: LocalEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14.1 as filed: `cd customers/eu && apply --changed-since main --prune` archived the
    renamed and the moved customers (exit 0) though both files still exist."""
    case = moved_workspace(server, tmp_path, "psa")
    everyone = [*sorted(case.kept), case.deleted]
    monkeypatch.chdir(case.repo / "customers" / "eu")
    refused = cli_run(server, "apply", "--changed-since", "main", "--prune", "--auto-approve")
    assert refused.exit_code == 1, refused.output
    assert REFUSED in refused.stderr
    assert [project_status(server, e) for e in everyone] == ["active"] * 4

    listed = cli_run(server, "plan", "--changed-since", "main", "--format", "json")
    assert listed.exit_code in (0, 2), listed.output
    doc = json.loads(listed.stdout)
    assert [o["customerExternalId"] for o in doc["orphans"] or []] == [case.deleted]

    monkeypatch.chdir(case.repo)
    applied = cli_run(server, "apply", "--changed-since", "main", "--prune", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert [project_status(server, e) for e in everyone] == ["active"] * 3 + ["archived"]
