"""Workspace boundaries: any path inside a workspace is planned as part of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.config import check_workspace, load_workspace

from .helpers import NOW
from .test_loader import write


def customer(ext: str) -> str:
    return f"customerExternalId: {ext}\nproject:\n  name: {ext}\n"


SETTINGS = "workspace: agency-prod\ndefaults:\n  project: {timezone: Europe/Berlin}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return write(
        tmp_path,
        {
            "layers.yaml": SETTINGS,
            "customers/us/a.yaml": customer("us-a"),
            "customers/us/b.yml": customer("us-b"),
            "customers/eu/c.yaml": customer("eu-c"),
            "ci/docker-compose.yml": "services:\n  db: {image: postgres}\n",
            "README.yaml": "not: a customer\n",
        },
    )


def ids(path: Path | list[Path]) -> list[str]:
    return [c.spec.customerExternalId for c in load_workspace(path, now=NOW).customers]


def test_a_sub_folder_walks_up_to_layers_yaml_and_plans_only_below_it(repo: Path) -> None:
    workspace = load_workspace(repo / "customers" / "us", now=NOW)
    assert workspace.root == repo
    assert workspace.settings.workspace == "agency-prod"
    assert workspace.partial
    assert [c.spec.customerExternalId for c in workspace.customers] == ["us-a", "us-b"]
    assert {c.spec.project.timezone for c in workspace.customers} == {"Europe/Berlin"}


def test_part_of_the_workspace_still_knows_every_id_the_workspace_names(repo: Path) -> None:
    """Orphans are decided against every file (issue 14): a file outside PATH, even a broken
    one elsewhere that is not this run's to report, still names its customer."""
    write(
        repo,
        {
            "customers/eu/broken.yaml": "customerExternalId: eu-broken\nproject: [not, a, map]\n",
            "customers/drafts/no-id.yaml": "project:\n  name: x\n",
        },
    )
    workspace = load_workspace(repo / "customers" / "us", now=NOW)
    assert [c.spec.customerExternalId for c in workspace.customers] == ["us-a", "us-b"]
    assert workspace.named == {"us-a", "us-b", "eu-c", "eu-broken"}
    assert workspace.warnings == []  # the files outside PATH are read for their id only
    (repo / "customers" / "drafts" / "no-id.yaml").unlink()
    whole = write(repo, {"customers/eu/broken.yaml": customer("eu-fixed")})
    assert load_workspace(whole, now=NOW).named == {"us-a", "us-b", "eu-c", "eu-fixed"}


def test_dot_inside_the_customers_folder_is_the_workspace(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "customers")
    workspace = load_workspace(Path("."), now=NOW)
    assert workspace.settings.workspace == "agency-prod"
    assert sorted(c.spec.customerExternalId for c in workspace.customers) == [
        "eu-c",
        "us-a",
        "us-b",
    ]
    assert workspace.partial  # a folder below the root: --prune refuses it


def test_only_customers_glob_files_are_customer_files_by_default(repo: Path) -> None:
    report = check_workspace(repo, now=NOW)
    assert report.errors == []
    assert report.files == sorted(report.files)
    assert all(f.split("/")[-3] == "customers" for f in report.files)
    assert sorted(ids(repo)) == ["eu-c", "us-a", "us-b"]
    assert not load_workspace(repo, now=NOW).partial


def test_include_and_exclude_globs_choose_the_customer_files(repo: Path) -> None:
    write(
        repo,
        {
            "layers.yaml": SETTINGS
            + "customers:\n  include: ['customers/**/*.yaml', 'clients/*.yaml']\n"
            + "  exclude: ['customers/eu/**']\n",
            "clients/d.yaml": customer("cl-d"),
        },
    )
    assert ids(repo) == ["cl-d", "us-a"]  # b.yml is not included, eu/ is excluded


def test_a_glob_that_leaves_the_workspace_is_an_error_at_its_line(repo: Path) -> None:
    write(repo, {"layers.yaml": SETTINGS + "customers:\n  include: ['../other/*.yaml']\n"})
    (error,) = check_workspace(repo, now=NOW).errors
    assert error.file.endswith("layers.yaml")
    assert error.line == 5
    assert "leaves the workspace" in error.message


def test_several_paths_of_one_workspace(repo: Path) -> None:
    chosen = [repo / "customers" / "eu", repo / "customers" / "us" / "a.yaml"]
    assert ids(chosen) == ["eu-c", "us-a"]
    workspace = load_workspace(chosen, now=NOW)
    assert workspace.settings.workspace == "agency-prod"
    assert workspace.partial


def test_paths_in_two_workspaces_are_a_clear_error(repo: Path, tmp_path: Path) -> None:
    other = write(
        tmp_path / "other",
        {"layers.yaml": "workspace: other\n", "customers/x.yaml": customer("x")},
    )
    (error,) = check_workspace([repo / "customers", other / "customers"], now=NOW).errors
    assert "plan one workspace at a time" in error.message
    assert error.file.endswith("customers")


def test_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": SETTINGS})
    repo = write(tmp_path / "repo", {"customers/a.yaml": customer("a")})
    (repo / ".git").mkdir()
    workspace = load_workspace(repo / "customers", now=NOW)
    assert workspace.settings.workspace is None
    assert workspace.root == repo / "customers"


def test_a_customer_file_outside_the_globs_is_a_warning_not_a_silent_orphan(repo: Path) -> None:
    write(repo, {"stray.yaml": customer("stray-1")})
    report = check_workspace(repo, now=NOW)
    assert report.errors == []
    (warning,) = [w for w in report.warnings if w.file.endswith("stray.yaml")]
    assert warning.line == 1
    assert "looks like a customer file" in warning.message
    assert "stray-1" not in ids(repo)
    assert not [w for w in report.warnings if "docker-compose" in w.file]


def test_the_stray_file_warning_names_the_include_globs_the_workspace_sets(repo: Path) -> None:
    (repo / "layers.yaml").write_text('workspace: w\ncustomers:\n  include: ["clients/*.yml"]\n')
    write(repo, {"customers/moved.yaml": customer("moved-1")})
    report = check_workspace(repo, now=NOW)
    (warning,) = [w for w in report.warnings if w.file.endswith("moved.yaml")]
    assert "customers.include in layers.yaml (clients/*.yml) does not match it" in warning.message
    assert "default" not in warning.message
    assert "move it under customers/" not in warning.message  # it is under customers/ already
