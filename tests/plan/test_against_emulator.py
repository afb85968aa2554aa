"""`plan` against the emulator over real HTTP, as users run it.

State is set up through the API itself (tests/plan/seed.py), so these tests need no apply.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from layers_reconcile.plan.model import FORMAT_VERSION
from tests.plan.seed import customer_yaml, seed_many

pytest.importorskip("layers_reconcile.emulator.server")

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

WORKSPACE = "plan-tests"
WRITES = ("POST", "PATCH", "DELETE", "PUT")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def workspace(root: Path, files: dict[str, str], *, name: str = WORKSPACE) -> Path:
    (root / "customers").mkdir(parents=True, exist_ok=True)
    (root / "layers.yaml").write_text(f"workspace: {name}\n")
    for name, text in files.items():
        (root / "customers" / f"{name}.yaml").write_text(text)
    return root


def run_plan(server: EmulatorServer, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "plan", *args]
    )


def reset(server: EmulatorServer) -> None:
    httpx.post(server.url + "/_emulator/stats/reset").raise_for_status()


def stats(server: EmulatorServer) -> dict[str, int]:
    routes: dict[str, int] = httpx.get(server.url + "/_emulator/stats").json()["routes"]
    return routes


def writes(routes: dict[str, int]) -> dict[str, int]:
    return {r: n for r, n in routes.items() if r.split(" ", 1)[0] in WRITES}


def seed(server: EmulatorServer, ids: list[str]) -> None:
    asyncio.run(seed_many(server.url, server.api_key, ids, workspace=WORKSPACE))


def plan_json(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 2), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_plan_on_an_empty_account(server: EmulatorServer, tmp_path: Path) -> None:
    ids = [f"empty-{i}" for i in range(3)]
    ws = workspace(tmp_path, {i: customer_yaml(i) for i in ids})
    reset(server)
    doc = plan_json(run_plan(server, str(ws), "--format", "json", "--detailed-exitcode"))
    routes = stats(server)
    assert writes(routes) == {}
    assert [c["customerExternalId"] for c in doc["customers"]] == ids
    for customer in doc["customers"]:
        assert customer["projectId"] is None
        assert customer["steps"][0]["action"] == "create"
        assert all(
            s["address"].startswith(customer["customerExternalId"] + "/") for s in customer["steps"]
        )
    # a whole-workspace plan reads the projects list once; identity once per run
    assert routes == {"GET /v1/whoami": 1, "GET /v1/projects": 1}


def test_converged_account_plans_no_changes_with_few_reads(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ids = [f"noop-{i}" for i in range(4)]
    seed(server, ids)
    ws = workspace(tmp_path, {i: customer_yaml(i) for i in ids})
    reset(server)
    result = run_plan(server, str(ws), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    routes = stats(server)
    assert writes(routes) == {}
    # Request economy, per customer: the project, and one list per managed collection (the
    # approval policy comes embedded in the project); the projects list once for all of them.
    per_customer = {
        "GET /v1/projects/{id}": 1,
        "GET /v1/projects/{projectId}/influencers": 1,
        "GET /v1/projects/{projectId}/social-accounts": 1,
        "GET /v1/projects/{projectId}/content": 1,
        "GET /v1/projects/{projectId}/scheduled-posts": 1,
    }
    assert routes == {
        "GET /v1/whoami": 1,
        "GET /v1/projects": 1,
        **{r: n * len(ids) for r, n in per_customer.items()},
    }


def test_drift_behind_the_tools_back_shows_exactly_that_field(
    server: EmulatorServer, tmp_path: Path
) -> None:
    seed(server, ["drift-1"])
    ws = workspace(tmp_path, {"drift-1": customer_yaml("drift-1")})
    doc = plan_json(run_plan(server, str(ws), "--format", "json"))
    project_id = doc["customers"][0]["projectId"]
    headers = {"Authorization": f"Bearer {server.api_key}"}
    httpx.patch(
        f"{server.url}/v1/projects/{project_id}",
        json={"brandContext": {"tagline": "Changed in the Layers UI"}},
        headers=headers,
    ).raise_for_status()
    reset(server)
    doc = plan_json(run_plan(server, str(ws), "--format", "json", "--detailed-exitcode"))
    assert writes(stats(server)) == {}
    (customer,) = doc["customers"]
    assert [(s["address"], s["action"]) for s in customer["steps"]] == [("drift-1/brand", "update")]
    assert customer["steps"][0]["changes"] == [
        {
            "field": "tagline",
            "before": "Changed in the Layers UI",
            "after": "Skip the line.",
            "beforeUnknown": False,
            "afterUnknown": False,
        }
    ]


@pytest.mark.parametrize(
    ("ext", "edit", "expected"),
    [
        (
            "edit-time",
            {"at": "2027-06-02T10:00:00Z"},
            ("content/launch/schedule/tiktok", "reschedule"),
        ),
        ("edit-name", {"name": "Renamed Co"}, ("project", "update")),
        ("edit-brand", {"tagline": "A new tagline."}, ("brand", "update")),
    ],
)
def test_editing_one_field_in_a_file_plans_exactly_that_step(
    server: EmulatorServer,
    tmp_path: Path,
    ext: str,
    edit: dict[str, str],
    expected: tuple[str, str],
) -> None:
    seed(server, [ext])
    ws = workspace(tmp_path, {ext: customer_yaml(ext, **edit)})
    reset(server)
    result = run_plan(server, str(ws), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2
    doc = plan_json(result)
    assert writes(stats(server)) == {}
    steps = [(s["address"], s["action"]) for s in doc["customers"][0]["steps"]]
    assert steps == [(f"{ext}/{expected[0]}", expected[1])]


def test_saved_plan_holds_no_key_and_markdown_has_the_marker(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path / "ws", {"saved-1": customer_yaml("saved-1")})
    out = tmp_path / "plan.json"
    result = run_plan(server, str(ws), "--out", str(out), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!-- layers-reconcile-plan workspace=plan-tests -->")
    saved = out.read_text()
    assert server.api_key not in saved
    assert server.api_key not in result.output
    assert json.loads(saved)["formatVersion"] == FORMAT_VERSION


def test_prune_archives_only_projects_stamped_by_this_workspace(
    server: EmulatorServer, tmp_path: Path
) -> None:
    mine = "prune-tests"  # no other test stamps projects with it
    for ext, stamp in (("prune-gone", mine), ("prune-other", "another-team"), ("prune-kept", mine)):
        asyncio.run(seed_many(server.url, server.api_key, [ext], workspace=stamp))
    ws = workspace(tmp_path, {"prune-kept": customer_yaml("prune-kept")}, name=mine)
    without = plan_json(run_plan(server, str(ws), "--format", "json"))
    assert [c["customerExternalId"] for c in without["customers"]] == ["prune-kept"]
    reset(server)
    doc = plan_json(run_plan(server, str(ws), "--format", "json", "--prune"))
    assert writes(stats(server)) == {}
    archived = {
        c["customerExternalId"]: [(s["address"], s["action"]) for s in c["steps"]]
        for c in doc["customers"]
        if c["steps"]
    }
    assert archived == {"prune-gone": [("prune-gone/project", "archive")]}


def test_saved_plan_records_the_workspace_root_absolute(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(tmp_path / "ws", {"abs-root": customer_yaml("abs-root")})
    monkeypatch.chdir(tmp_path)
    result = run_plan(server, "ws", "--out", "p.json")
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["workspaceRoot"] == str((tmp_path / "ws").resolve())


def test_verbose_and_no_color_after_the_subcommand(server: EmulatorServer, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"verbose-1": customer_yaml("verbose-1")})
    debug = run_plan(server, str(ws), "--no-color", "-vv")
    assert debug.exit_code == 0, debug.output
    assert "DEBUG layers_reconcile.client" in debug.stderr
    assert "GET /v1/projects" in debug.stderr
    assert "requestId" in debug.stderr
    assert server.api_key not in debug.stdout + debug.stderr
    assert "Authorization" not in debug.stderr
    assert "\x1b[" not in debug.stdout
    info = run_plan(server, str(ws), "-v")
    assert info.exit_code == 0, info.output
    assert "DEBUG" not in info.stderr
    quiet = run_plan(server, str(ws))
    assert "GET /v1/projects" not in quiet.stderr


def test_a_usage_error_exits_1_not_the_changes_pending_2(server: EmulatorServer) -> None:
    result = run_plan(server, "--no-such-option")
    assert result.exit_code == 1
    assert "No such option" in result.stderr


def test_steps_that_wait_for_a_consent_exit_3_not_2(server: EmulatorServer, tmp_path: Path) -> None:
    """A customer who has not consented yet keeps a drift job at 3: the post on the new account
    is planned, but apply cannot make it before the person acts (README, exit codes)."""
    # A workspace of its own: the other tests' projects would be this one's orphans (exit 2).
    name = "people-tests"
    asyncio.run(seed_many(server.url, server.api_key, ["people-1"], workspace=name))
    text = customer_yaml("people-1")
    tiktok = "  tiktok:\n    returnUrl: "
    text = text.replace(tiktok, "  instagram:\n    returnUrl: https://localhost/x\n" + tiktok)
    text += '      - account: instagram\n        mode: reels\n        at: "2027-06-01T10:00:00Z"\n'
    ws = workspace(tmp_path, {"people-1": text}, name=name)
    result = run_plan(server, str(ws), "--format", "json", "--detailed-exitcode")
    doc = json.loads(result.stdout)
    steps = [(s["address"], s["action"]) for s in doc["customers"][0]["steps"]]
    assert steps == [
        ("people-1/social/instagram", "wait_on_person"),
        ("people-1/content/launch/schedule/instagram", "schedule"),
    ]
    assert result.exit_code == 3, result.output
