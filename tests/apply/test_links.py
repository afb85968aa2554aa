"""Outstanding links: apply reuses a link while it is valid, plan shows it with its expiry, and
`links` lists every one (a read-only key suffices) and replaces the expired ones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.apply.local import local_emulator, local_http
from tests.apply.support import DATA, KEY, Api, copy_workspace, run_cli

BLUEBIRD = "bluebird-labs-010"
WREN = "wren-social-011"
READ_ONLY = ["projects:read", "content:read", "social:read", "publish:read", "jobs:read"]

SOCIAL_ONLY = """\
customerExternalId: wren-social-011
project:
  name: Wren Social
  timezone: Europe/Berlin
social:
  tiktok:
    returnUrl: https://app.your-partner.com/customers/wren/social-complete
"""


def opened(output: str, address: str) -> str:
    """The URL apply printed for a person-gated step."""
    found = re.search(re.escape(address) + r": waiting on a person[^\n]*\n\s+open: (\S+)", output)
    assert found is not None, output
    return found.group(1)


def mint_key(url: str, scopes: list[str]) -> str:
    answer = local_http(url, key="").post("/_emulator/keys", json={"scopes": scopes})
    answer.raise_for_status()
    key: str = answer.json()["apiKey"]
    return key


def listed(ws: Path, env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = run_cli("links", str(ws), "--format", "json", *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)["links"]
    return rows


def expire(api: Api, customer: str, key: str) -> None:
    """Move the recorded expiry of a link into the past, as if its 10 minutes had gone by."""
    project = api.project(customer)
    metadata = project["metadata"]
    metadata["layersReconcile"]["links"][key]["expiresAt"] = "2020-01-01T00:00:00Z"
    api.http.patch(f"/v1/projects/{project['id']}", json={"metadata": metadata}).raise_for_status()


def test_links_are_reused_shown_by_plan_listed_and_renewed(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    (ws / "customers/wren.yaml").write_text(SOCIAL_ONLY)
    with local_emulator(tmp_path, auto_consent=False) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = first.stdout + first.stderr
        assert first.returncode == 3, output
        install = opened(output, f"{BLUEBIRD}/github")
        consent = opened(output, f"{BLUEBIRD}/social/tiktok")
        wren_consent = opened(output, f"{WREN}/social/tiktok")
        assert "(valid until 20" in output

        # A second apply hands out the same links: one URL to send the customer, not one per run.
        second = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = second.stdout + second.stderr
        assert second.returncode == 3, output
        assert opened(output, f"{BLUEBIRD}/github") == install
        assert opened(output, f"{BLUEBIRD}/social/tiktok") == consent
        assert opened(output, f"{WREN}/social/tiktok") == wren_consent

        planned = run_cli("plan", str(ws), env=emu.env())
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert f"url: {install}" in planned.stdout
        assert f"url: {consent}" in planned.stdout
        assert "expires: 20" in planned.stdout
        assert "the link sent earlier is still valid (apply reuses it)" in planned.stdout

        rows = listed(ws, emu.env())
        assert {(r["customer"], r["kind"], r["status"]) for r in rows} == {
            (BLUEBIRD, "github_install", "valid"),
            (BLUEBIRD, "social_oauth", "valid"),
            (WREN, "social_oauth", "valid"),
        }
        assert {r["url"] for r in rows if r["customer"] == BLUEBIRD} == {install, consent}
        assert all(r["expiresAt"] and r["todo"] for r in rows)

        # A read-only key lists (and cannot renew); the full key replaces an expired link.
        read_only = {**emu.env(), "LAYERS_API_KEY": mint_key(emu.url, READ_ONLY)}
        (wren,) = listed(ws, read_only, "--customer", WREN)
        assert wren["status"] == "valid"
        api = Api(emu.url)
        expire(api, WREN, "social/tiktok")
        api.close()
        (wren,) = listed(ws, read_only, "--customer", WREN)
        assert (wren["status"], wren["url"]) == ("expired", None)
        assert wren["note"] == "not replaced: the key lacks social:write, projects:write"
        text = run_cli("links", str(ws), "--customer", WREN, env=read_only)
        assert "url: none (expired)" in text.stdout
        (wren,) = listed(ws, emu.env(), "--customer", WREN)
        assert wren["status"] == "new"
        assert wren["url"].startswith(emu.url + "/_emulator/social/")
        planned = run_cli("plan", str(ws), "--customer", WREN, env=emu.env())
        assert f"url: {wren['url']}" in planned.stdout
        # The local date is added when it differs from the UTC date (late evening UTC).
        assert re.search(
            r"expires: \S+Z \((\d{4}-\d\d-\d\d )?\d\d:\d\d Europe/Berlin\)", planned.stdout
        )
        assert KEY not in planned.stdout + text.stdout
        # An expired GitHub install link is replaced too: made for the org the plan names.
        api = Api(emu.url)
        expire(api, BLUEBIRD, "github")
        api.close()
        renewed = {r["kind"]: r for r in listed(ws, emu.env(), "--customer", BLUEBIRD)}
        assert renewed["github_install"]["status"] == "new"
        assert renewed["github_install"]["url"] not in (None, install)
        assert renewed["social_oauth"]["status"] == "valid"
