"""A no-op plan costs the same requests per customer on both API revisions (issue 17's proof):
Rev B sets the review policy apart from the project, but the project row a plan reads shows it
(CONTRACT.md §3.3), so Rev B needs no read of `/content-review-policy` — and a policy, a project
field or metadata changed in the Layers UI still shows in the plan."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import Api, run_cli
from tests.plan.seed import customer_yaml

CUSTOMERS = ("noop-1", "noop-2", "noop-3")
POLICY_ROUTE = "GET /v1/projects/{projectId}/content-review-policy"


def _customer_file(ext: str, revision: str) -> str:
    """The benchmark's customer (tests/plan/seed.py); Rev B has no `format: auto`: a remix."""
    text = customer_yaml(ext)
    if revision == "b":
        remix = '    format: slideshow_remix\n    source: {tiktokVideoId: "7312345678901234560"}\n'
        text = text.replace("  launch:\n", "  launch:\n" + remix)
    return text


def _converged(root: Path, emu: LocalEmulator, revision: str) -> Path:
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text("workspace: noop\n")
    for ext in CUSTOMERS:
        (root / "customers" / f"{ext}.yaml").write_text(_customer_file(ext, revision))
    applied = run_cli("apply", str(root), "--auto-approve", env=emu.env())
    assert applied.returncode == 0, applied.stdout + applied.stderr
    return root


def _noop_plan_routes(tmp: Path, revision: str) -> dict[str, int]:
    tmp.mkdir()
    with local_emulator(tmp, auto_consent=True, extra=("--api-revision", revision)) as emu:
        ws = _converged(tmp / f"ws-{revision}", emu, revision)
        emu.reset_stats()
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr  # nothing to change
        routes: dict[str, int] = emu.stats()["routes"]
        return routes


def test_a_noop_plan_sends_no_more_requests_per_customer_on_rev_b_than_on_rev_a(
    tmp_path: Path,
) -> None:
    a = _noop_plan_routes(tmp_path / "a", "a")
    b = _noop_plan_routes(tmp_path / "b", "b")
    n = len(CUSTOMERS)
    for routes in (a, b):
        # Once per plan: whoami, the projects list (Rev B: the child organizations too).
        assert all(count in (1, n) for count in routes.values()), routes
    per_customer_a = sum(count for count in a.values() if count == n) / n
    per_customer_b = sum(count for count in b.values() if count == n) / n
    # Its project row and its four lists, one read each, on both revisions.
    assert per_customer_a == 5, a
    assert per_customer_b <= per_customer_a, (a, b)
    assert POLICY_ROUTE not in b, b  # the row shows the review policy: no read of its own


def test_what_changes_in_the_layers_ui_still_shows_in_the_rev_b_plan(tmp_path: Path) -> None:
    with local_emulator(tmp_path, auto_consent=True, extra=("--api-revision", "b")) as emu:
        ws = _converged(tmp_path / "ws", emu, "b")
        api = Api(emu.url)
        policy, field, metadata = (api.projects(ext)[0]["id"] for ext in CUSTOMERS)
        api.http.patch(
            f"/v1/projects/{policy}/content-review-policy", json={"policy": "auto_approve"}
        ).raise_for_status()
        api.http.patch(f"/v1/projects/{field}", json={"timezone": "UTC"}).raise_for_status()
        row = api.get(f"/v1/projects/{metadata}")
        changed = {**row["metadata"], "tier": "silver"}
        api.http.patch(f"/v1/projects/{metadata}", json={"metadata": changed}).raise_for_status()
        emu.reset_stats()
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        routes = emu.stats()["routes"]
        api.close()
    assert POLICY_ROUTE not in routes, routes  # seen on the project row
    assert plan.returncode == 2, plan.stdout + plan.stderr  # changes to make
    out = plan.stdout
    assert "noop-1/approval  update" in out, out
    assert "requiresApproval: false -> true" in out, out
    assert "noop-2/project  update" in out, out
    assert 'timezone: "UTC" -> "Europe/Berlin"' in out, out
    assert "noop-3/project  update" in out, out
    assert 'metadata.tier: "silver" -> "gold"' in out, out
    assert "3 changes (3 update)" in out, out
