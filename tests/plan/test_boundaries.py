"""Safe in a shared account (issue 8): boundaries, orphans, conflicts, scopes, exit codes.

Every test runs the real CLI in-process against the emulator served over HTTP on loopback;
each uses its own workspace name, so the projects of one test are foreign to the others.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from layers_reconcile.client import LayersClient
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.plan.ids import RESERVED_KEY, project_id_for
from tests.plan.seed import customer_yaml, seed_many
from tests.workspaces import write_workspace

READ_SCOPES = ["projects:read", "content:read", "social:read", "publish:read", "jobs:read"]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def minimal(ext: str, name: str | None = None, extra: str = "") -> str:
    return f"customerExternalId: {ext}\nproject:\n  name: {name or 'Customer ' + ext}\n{extra}"


def workspace(root: Path, name: str, files: dict[str, str]) -> Path:
    return write_workspace(root, files, name=name)


def invoke(url: str, key: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--api-url", url, "--api-key", key, *args])


def run(server: EmulatorServer, *args: str) -> Result:
    return invoke(server.url, server.api_key, *args)


def doc_of(result: Result) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def stats(server: EmulatorServer) -> dict[str, int]:
    routes: dict[str, int] = httpx.get(server.url + "/_emulator/stats").json()["routes"]
    return routes


def reset(server: EmulatorServer) -> None:
    httpx.post(server.url + "/_emulator/stats/reset").raise_for_status()


def api(server: EmulatorServer, method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    response = httpx.request(method, server.url + path, headers=headers, **kw)
    response.raise_for_status()
    return response.json()


def make_project(server: EmulatorServer, ext: str, reserved: dict[str, Any] | None) -> str:
    body: dict[str, Any] = {
        "id": project_id_for(ext),
        "name": "Customer " + ext,
        "customerExternalId": ext,
        "timezone": "UTC",
    }
    if reserved is not None:
        body["metadata"] = {RESERVED_KEY: {"v": 1, **reserved}}
    return str(api(server, "POST", "/v1/projects", json=body)["id"])


def key_with(server: EmulatorServer, scopes: list[str]) -> str:
    response = httpx.post(server.url + "/_emulator/keys", json={"scopes": scopes})
    response.raise_for_status()
    return str(response.json()["apiKey"])


# -- orphans --------------------------------------------------------------------------------


def test_orphans_are_in_every_plan_with_their_last_apply(
    server: EmulatorServer, tmp_path: Path
) -> None:
    make_project(server, "orph-keep", {"workspace": "ws-orphans"})
    gone = make_project(
        server, "orph-gone", {"workspace": "ws-orphans", "lastAppliedAt": "2026-11-02T09:00:00Z"}
    )
    make_project(server, "orph-foreign", {"workspace": "someone-else"})
    ws = workspace(tmp_path, "ws-orphans", {"keep.yaml": minimal("orph-keep")})
    reset(server)
    result = run(server, "plan", str(ws), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output  # nothing to change but an orphan: drift
    doc = doc_of(result)
    assert doc["summary"]["changes"] == 0
    assert doc["summary"]["orphans"] == 1
    (orphan,) = doc["orphans"]
    assert orphan == {
        "customerExternalId": "orph-gone",
        "projectId": gone,
        "name": "Customer orph-gone",
        "lastAppliedAt": "2026-11-02T09:00:00Z",
        "archived": False,
    }
    assert stats(server)["GET /v1/projects"] == 1  # one paginated read finds them all
    text = run(server, "plan", str(ws))
    assert "orph-gone" in text.stdout
    assert "last applied 2026-11-02T09:00:00Z" in text.stdout
    assert "would be archived with --prune" in text.stdout
    markdown = run(server, "plan", str(ws), "--format", "markdown")
    assert "would be archived with --prune" in markdown.stdout


def test_prune_archives_at_most_the_cap_and_says_so(server: EmulatorServer, tmp_path: Path) -> None:
    for i in range(3):
        make_project(server, f"cap-{i}", {"workspace": "ws-cap"})
    ws = workspace(tmp_path, "ws-cap", {"other.yaml": minimal("cap-other")})
    result = run(server, "plan", str(ws), "--prune", "--max-archives", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = doc_of(result)
    archived = [
        c["customerExternalId"]
        for c in doc["customers"]
        if any(s["action"] == "archive" for s in c["steps"])
    ]
    assert archived == ["cap-0", "cap-1"]
    assert [o["archived"] for o in doc["orphans"]] == [True, True, False]
    assert any("at most 2" in w for w in doc["warnings"])


# -- conflicts ------------------------------------------------------------------------------


def test_another_workspaces_project_is_a_conflict_that_apply_refuses(
    server: EmulatorServer, tmp_path: Path
) -> None:
    theirs = make_project(server, "conf-1", {"workspace": "ws-a"})
    ws = workspace(
        tmp_path, "ws-b", {"conf-1.yaml": minimal("conf-1"), "new.yaml": minimal("conf-new")}
    )
    result = run(server, "plan", str(ws), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = doc_of(result)
    assert doc["summary"]["conflicts"] == 1
    (conflict,) = doc["conflicts"]
    assert conflict["customerExternalId"] == "conf-1"
    assert conflict["workspace"] == "ws-a"
    assert conflict["projectId"] == theirs
    assert doc["customers"][0]["steps"] == []  # a finding, never a step
    text = run(server, "plan", str(ws))
    assert "Conflicts: apply refuses these customers" in text.stdout
    assert "--take-over ws-a" in text.stdout

    applied = run(server, "apply", str(ws), "--auto-approve")
    assert applied.exit_code == 1, applied.output
    assert "conf-1" in applied.output
    assert "--take-over ws-a" in applied.output
    stamp = api(server, "GET", f"/v1/projects/{theirs}")["metadata"][RESERVED_KEY]
    assert stamp["workspace"] == "ws-a"  # untouched
    created = api(server, "GET", f"/v1/projects/{project_id_for('conf-new')}")
    assert created["metadata"][RESERVED_KEY]["workspace"] == "ws-b"  # the other went on
    assert created["metadata"][RESERVED_KEY]["lastAppliedAt"].endswith("Z")

    wrong = run(server, "apply", str(ws), "--auto-approve", "--take-over", "ws-c")
    assert wrong.exit_code == 1
    taken = run(server, "apply", str(ws), "--auto-approve", "--take-over", "ws-a")
    assert taken.exit_code == 0, taken.output
    stamp = api(server, "GET", f"/v1/projects/{theirs}")["metadata"][RESERVED_KEY]
    assert stamp["workspace"] == "ws-b"


def test_an_unstamped_project_stays_an_ordinary_adopt(
    server: EmulatorServer, tmp_path: Path
) -> None:
    make_project(server, "hand-made", None)
    ws = workspace(tmp_path, "ws-hand", {"h.yaml": minimal("hand-made")})
    result = run(server, "plan", str(ws), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    doc = doc_of(result)
    assert doc["conflicts"] == []
    assert [s["action"] for s in doc["customers"][0]["steps"]] == ["adopt"]


# -- exit codes -----------------------------------------------------------------------------


def test_detailed_exitcode_separates_drift_from_people(
    server: EmulatorServer, tmp_path: Path
) -> None:
    make_project(server, "exit-1", {"workspace": "ws-exit"})
    ws = workspace(tmp_path, "ws-exit", {"e.yaml": minimal("exit-1")})
    assert run(server, "plan", str(ws), "--detailed-exitcode").exit_code == 0
    people = minimal("exit-1", extra="social:\n  tiktok:\n    returnUrl: http://localhost/done\n")
    (ws / "customers" / "e.yaml").write_text(people)
    waiting = run(server, "plan", str(ws), "--detailed-exitcode", "--format", "json")
    assert waiting.exit_code == 3, waiting.output  # only a person can act: not drift
    summary = doc_of(waiting)["summary"]
    assert (summary["changes"], summary["waitsOnPeople"], summary["orphans"]) == (0, 1, 0)
    (ws / "customers" / "e.yaml").write_text(minimal("exit-1", name="Renamed"))
    assert run(server, "plan", str(ws), "--detailed-exitcode").exit_code == 2
    assert run(server, "plan", str(ws)).exit_code == 0  # without the flag: 0 when it planned


# -- reads ----------------------------------------------------------------------------------


def test_a_whole_workspace_plan_lists_projects_once_a_filtered_one_looks_up(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ids = [f"reads-{i}" for i in range(3)]
    asyncio.run(seed_many(server.url, server.api_key, ids, workspace="ws-reads"))
    ws = workspace(tmp_path, "ws-reads", {f"{i}.yaml": customer_yaml(i) for i in ids})
    reset(server)
    assert run(server, "plan", str(ws), "--detailed-exitcode").exit_code == 0
    routes = stats(server)
    assert routes["GET /v1/projects"] == 1
    assert routes["GET /v1/projects/{id}"] >= len(ids)
    reset(server)
    result = run(server, "plan", str(ws), "--customer", ids[0], "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    routes = stats(server)
    assert routes["GET /v1/projects"] == 1  # the one lookup of that customer
    assert routes["GET /v1/projects/{id}"] == 1


class _FilterIgnoringProxy(BaseHTTPRequestHandler):
    """A broken API in front of the emulator: drops the customerExternalId filter."""

    upstream = ""

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")

    def do_PATCH(self) -> None:
        self._forward("PATCH")

    def _forward(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "customerExternalId"]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        url = self.upstream + parts.path + ("?" + urlencode(query) if query else "")
        answer = httpx.request(method, url, headers=headers, content=body)
        self.send_response(answer.status_code)
        for name in ("Content-Type", "X-Request-Id", "Retry-After"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def ignoring_filter(server: EmulatorServer) -> Iterator[str]:
    handler = type("Proxy", (_FilterIgnoringProxy,), {"upstream": server.url})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_a_server_ignoring_the_filter_never_hands_over_someone_elses_project(
    server: EmulatorServer, ignoring_filter: str, tmp_path: Path
) -> None:
    someone = make_project(server, "someone-else-999", None)
    ws = workspace(tmp_path, "ws-hostile", {"mine.yaml": minimal("mine-001", name="Mine")})
    planned = invoke(
        ignoring_filter,
        server.api_key,
        "plan",
        str(ws),
        "--customer",
        "mine-001",
        "--format",
        "json",
    )
    assert planned.exit_code == 0, planned.output
    (customer,) = doc_of(planned)["customers"]
    assert customer["projectId"] is None
    assert [s["action"] for s in customer["steps"]] == ["create"]
    applied = invoke(
        ignoring_filter,
        server.api_key,
        "apply",
        str(ws),
        "--customer",
        "mine-001",
        "--auto-approve",
    )
    assert applied.exit_code == 0, applied.output
    untouched = api(server, "GET", f"/v1/projects/{someone}")
    assert untouched["name"] == "Customer someone-else-999"
    assert RESERVED_KEY not in (untouched["metadata"] or {})


# -- scopes ---------------------------------------------------------------------------------


def test_a_read_only_key_plans_and_leaves_github_unchecked(
    server: EmulatorServer, tmp_path: Path
) -> None:
    make_project(server, "ro-1", {"workspace": "ws-ro"})
    github = "github:\n  repo: ro-org/app\n"
    ws = workspace(tmp_path, "ws-ro", {"r.yaml": minimal("ro-1", extra=github)})
    key = key_with(server, READ_SCOPES)
    result = invoke(server.url, key, "plan", str(ws), "--format", "json")
    assert result.exit_code == 0, result.output
    (customer,) = doc_of(result)["customers"]
    assert "ro-1/github: not checked: the key lacks github:admin" in customer["warnings"]
    assert all(not s["address"].endswith("/github") for s in customer["steps"])
    assert key not in result.output


def test_a_missing_scope_names_the_scope_and_the_command(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, "ws-scope", {"s.yaml": minimal("scope-1")})
    key = key_with(server, ["content:read"])
    result = invoke(server.url, key, "plan", str(ws))
    assert result.exit_code == 1
    assert "lacks the scope projects:read that `layers-reconcile plan` needs" in result.stderr
    assert key not in result.output


def test_apply_with_a_read_only_key_names_the_write_scope_it_lacks(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, "ws-ro-apply", {"n.yaml": minimal("ro-apply-1")})
    key = key_with(server, READ_SCOPES)
    result = invoke(server.url, key, "apply", str(ws), "--auto-approve")
    assert result.exit_code == 1
    assert "lacks the scope projects:write that `layers-reconcile apply` needs" in result.output
    assert key not in result.output


# -- boundaries -----------------------------------------------------------------------------


def test_a_sub_folder_is_planned_with_the_workspace_settings(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(server, "sub-us", {"workspace": "ws-sub"})
    ws = workspace(
        tmp_path,
        "ws-sub",
        {"us/a.yaml": minimal("sub-us"), "eu/b.yaml": minimal("sub-eu")},
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "docker-compose.yml").write_text("services: {db: {image: pg}}\n")
    result = run(
        server, "plan", str(ws / "customers" / "us"), "--format", "json", "--detailed-exitcode"
    )
    assert result.exit_code == 0, result.output  # no "adopt ... workspace -> null"
    doc = doc_of(result)
    assert doc["workspace"] == "ws-sub"
    assert [c["customerExternalId"] for c in doc["customers"]] == ["sub-us"]
    assert doc["orphans"] is None  # a sub-folder cannot tell an orphan from a file elsewhere
    monkeypatch.chdir(ws / "customers")
    here = run(server, "plan", ".", "--format", "json")
    assert sorted(c["customerExternalId"] for c in doc_of(here)["customers"]) == [
        "sub-eu",
        "sub-us",
    ]
    both = run(server, "plan", "us", "eu/b.yaml", "--format", "json")
    assert both.exit_code == 0, both.output
    assert len(doc_of(both)["customers"]) == 2


def test_paths_of_two_workspaces_are_refused(server: EmulatorServer, tmp_path: Path) -> None:
    a = workspace(tmp_path / "a", "ws-two-a", {"a.yaml": minimal("two-a")})
    b = workspace(tmp_path / "b", "ws-two-b", {"b.yaml": minimal("two-b")})
    result = run(server, "plan", str(a / "customers"), str(b / "customers"))
    assert result.exit_code == 1
    assert "plan one workspace at a time" in result.stderr


def test_a_folder_of_another_workspace_is_named_without_a_line(
    server: EmulatorServer, tmp_path: Path
) -> None:
    a = workspace(tmp_path / "a", "ws-fold-a", {"a.yaml": minimal("fold-a")})
    b = workspace(tmp_path / "b", "ws-fold-b", {"b.yaml": minimal("fold-b")})
    bare = tmp_path / "bare"
    bare.mkdir()
    result = run(server, "plan", str(a), str(b))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{b}: is in the workspace at {b}, but {a} is in the workspace at {a}: plan one "
        "workspace at a time"
    )
    result = run(server, "plan", str(a), str(bare))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{bare}: is in no workspace (no layers.yaml above it), but {a} is in the workspace "
        f"at {a}: plan one workspace at a time"
    )


def test_an_unknown_customer_gets_a_suggestion_not_a_position(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, "ws-typo", {"q.yaml": minimal("quinn-coffee-001")})
    result = run(server, "plan", str(ws), "--customer", "quinn-cofee-001")
    assert result.exit_code == 1
    assert ".:1:1" not in result.stderr
    assert "did you mean 'quinn-coffee-001'?" in result.stderr


def test_import_accepts_customer_after_the_subcommand(
    server: EmulatorServer, tmp_path: Path
) -> None:
    make_project(server, "imp-1", None)
    make_project(server, "imp-2", None)
    result = run(server, "import", str(tmp_path / "new"), "--customer", "imp-2")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "new" / "customers").iterdir())
    assert written == ["imp-2.yaml"]


def test_orphans_of_looks_up_only_the_named_customers(
    server: EmulatorServer, tmp_path: Path
) -> None:
    """The interface `--changed-since` uses: files deleted since a ref, looked up one by one."""
    from layers_reconcile.config import load_workspace
    from layers_reconcile.plan.planner import RunScope, make_plan

    make_project(server, "of-keep", {"workspace": "ws-of"})
    make_project(server, "of-deleted", {"workspace": "ws-of"})
    make_project(server, "of-unnamed", {"workspace": "ws-of"})
    ws = workspace(tmp_path, "ws-of", {"k.yaml": minimal("of-keep")})
    loaded = load_workspace(ws)
    reset(server)

    async def planned() -> Any:
        async with LayersClient(server.url, server.api_key) as client:
            return await make_plan(
                client,
                loaded,
                RunScope(customers=("of-keep",), orphans_of=("of-deleted", "of-keep")),
            )

    plan = asyncio.run(planned())
    assert [o.customer_external_id for o in plan.orphans] == ["of-deleted"]
    routes = stats(server)
    assert routes["GET /v1/projects"] == 2  # of-keep and of-deleted, no full list


def test_a_saved_plan_made_with_take_over_takes_over_on_apply(
    server: EmulatorServer, tmp_path: Path
) -> None:
    theirs = make_project(server, "saved-take", {"workspace": "ws-old"})
    ws = workspace(tmp_path / "ws", "ws-new", {"s.yaml": minimal("saved-take")})
    out = tmp_path / "plan.json"
    planned = run(server, "plan", str(ws), "--take-over", "ws-old", "--out", str(out))
    assert planned.exit_code == 0, planned.output
    assert "takes the project over from workspace 'ws-old'" in planned.stdout
    applied = run(server, "apply", str(out))
    assert applied.exit_code == 0, applied.output
    stamp = api(server, "GET", f"/v1/projects/{theirs}")["metadata"][RESERVED_KEY]
    assert stamp["workspace"] == "ws-new"


def test_import_works_with_a_read_only_key(server: EmulatorServer, tmp_path: Path) -> None:
    ingest = {"repo": "ro-import-org/app", "branch": "main", "status": "completed"}
    make_project(server, "ro-import-1", {"workspace": "ws-ro-import", "ingest": ingest})
    ws = workspace(tmp_path, "ws-ro-import", {})
    key = key_with(server, READ_SCOPES)
    result = invoke(
        server.url,
        key,
        "import",
        str(ws),
        "--customer",
        "ro-import-1",
        "--include-other-workspaces",
    )
    assert result.exit_code == 0, result.output
    written = (ws / "customers" / "ro-import-1.yaml").read_text()
    assert "repo: ro-import-org/app" in written
    assert "the key lacks github:admin" in result.output
    assert key not in result.output
