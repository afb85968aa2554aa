"""Customers as child organizations (issue 18), the real CLI against the Rev B emulator over HTTP:
create, fund, cap, suspend, migrate and offboard them from git; money moves exactly once."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import LocalEmulator, local_http
from tests.apply.org_support import (
    WORKSPACE,
    OrgApi,
    child_yaml,
    flat_yaml,
    ok,
    rev_b,
    rev_b_world,
    write_workspace,
)
from tests.apply.support import run_cli


def test_ten_customers_half_in_children_converge_and_a_second_run_plans_nothing(
    tmp_path: Path,
) -> None:
    customers = {f"flat-{i}": flat_yaml(f"flat-{i}") for i in range(5)}
    customers |= {
        f"kid-{i}": child_yaml(f"kid-{i}", transfers=(("initial", 500), (f"bonus-{i}", 10 + i)))
        for i in range(5)
    }
    ws = write_workspace(tmp_path / "ws", customers)
    with rev_b_world(tmp_path) as (emu, api):
        before = api.parent_balance()
        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "10 transfers moving 2560 credits to child organizations" in plan
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))

        parent_projects = {p["customerExternalId"] for p in api.items("/v1/projects")}
        assert parent_projects == {f"flat-{i}" for i in range(5)}  # children's are inside
        for i in range(5):
            child = api.child(f"kid-{i}")
            assert child["metadata"]["layersReconcileWorkspace"] == WORKSPACE
            assert child["metadata"]["plan"] == "pro"
            assert child["billingEmail"] == "billing@example.com"
            inside = api.inside(child["id"], "/v1/projects")
            assert [p["customerExternalId"] for p in inside] == [f"kid-{i}"]
            assert api.transfers(child["id"]) == {"initial": [500], f"bonus-{i}": [10 + i]}
            config = api.get(f"/v1/organizations/{child['id']}/credit-config")["config"]
            assert config["monthlyCreditCap"] == 5000
        assert before - api.parent_balance() == 2560

        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
        assert "No changes. 10 customers match the files." in again.stdout


def test_a_child_on_rev_a_is_an_error_at_its_line_never_a_flat_customer(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "flat": flat_yaml("flat")})
    emu = LocalEmulator(db=tmp_path / "rev-a.sqlite3").start()
    api = OrgApi(emu.url)
    try:
        result = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert result.returncode == 1
        assert "customers/kid.yaml:4:1: `organization:` needs the Layers API's Rev B" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
        assert api.items("/v1/projects") == []  # nothing was written for anyone
    finally:
        api.close()
        emu.stop()


def test_cap_suspend_and_resume_converge_by_state(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        path = ws / "customers" / "kid.yaml"
        text = path.read_text().replace("monthlyCap: 5000", "monthlyCap: 7000")
        path.write_text(text + "  suspended: true\n")
        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "monthlyCreditCap: 5000 -> 7000" in plan
        assert "kid/organization/status  suspend" in plan
        assert "refillThreshold" not in plan  # partial: only what differs
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        assert child["status"] == "suspended"
        config = api.get(f"/v1/organizations/{child['id']}/credit-config")["config"]
        assert config["monthlyCreditCap"] == 7000

        path.write_text(text + "  suspended: false\n")
        assert "kid/organization/status  resume" in ok(run_cli("plan", str(ws), env=emu.env()))
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert api.child("kid")["status"] == "active"
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout


def test_a_carried_out_transfer_edited_or_removed_moves_nothing_back(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        balance = api.parent_balance()
        path = ws / "customers" / "kid.yaml"
        path.write_text(child_yaml("kid", transfers=(("initial", 900),)))
        edited = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert edited.returncode == 0, edited.stdout  # no step: nothing more moves
        assert "transfer 'initial' was carried out with 500 credits" in edited.stdout
        path.write_text(child_yaml("kid", transfers=()))
        removed = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert removed.returncode == 0, removed.stdout
        assert "removing it moves nothing back" in removed.stdout
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert api.parent_balance() == balance
        assert api.transfers(api.child("kid")["id"]) == {"initial": [500]}


def test_max_credits_counts_transfers_beside_generations(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid", transfers=(("a", 300),))})
    emu = rev_b(tmp_path)
    try:
        result = run_cli("plan", str(ws), "--max-credits", "100", env=emu.env())
        assert result.returncode == 1
        assert "would spend 0 credits and move 300 to child organizations, over --max-credits" in (
            result.stderr
        )
    finally:
        emu.stop()


def test_adding_the_block_to_a_flat_customer_migrates_its_project(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": flat_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (flat,) = api.items("/v1/projects")
        (ws / "customers" / "kid.yaml").write_text(child_yaml("kid"))
        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "kid/organization  migrate" in plan
        assert f"moves project {flat['id']}" in plan
        assert "kid/project" not in plan  # the same project, moved: never a second one
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        assert api.items("/v1/projects") == []
        assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [flat["id"]]
        assert api.transfers(child["id"]) == {"initial": [500]}
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout


def test_an_orphan_child_is_archived_by_prune_and_its_credits_come_back(tmp_path: Path) -> None:
    ws = write_workspace(
        tmp_path / "ws",
        {"kid": child_yaml("kid"), "keep": child_yaml("keep"), "solo": flat_yaml("solo")},
    )
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        gone = api.child("kid")
        balance = api.parent_balance()
        (ws / "customers" / "kid.yaml").unlink()
        (ws / "customers" / "solo.yaml").unlink()
        listed = ok(run_cli("plan", str(ws), env=emu.env()))
        assert f"kid · child organization {gone['id']}" in listed
        assert "would be archived with --prune" in listed
        pruned = ok(run_cli("plan", str(ws), "--prune", env=emu.env()))
        assert "500 credits swept back to the parent" in pruned
        # One cap for projects and children: the flat orphan first, the child held back.
        capped = run_cli("plan", str(ws), "--prune", "--max-archives", "1", env=emu.env())
        assert f'child organization {gone["id"]} "Child kid" · held back' in (capped.stdout), (
            capped.stdout
        )
        ok(run_cli("apply", str(ws), "--prune", "--auto-approve", env=emu.env()))
        after = api.get(f"/v1/organizations/{gone['id']}")
        assert after["status"] == "archived"
        assert api.parent_balance() == balance + 500
        assert api.child("keep")["status"] == "active"


def test_a_child_stamped_by_another_workspace_is_a_conflict_until_taken_over(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")}, workspace="other-ws")
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        write_workspace(ws, {"kid": child_yaml("kid")})
        refused = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert refused.returncode != 0
        assert "is managed by workspace 'other-ws'" in refused.stdout + refused.stderr
        ok(run_cli("apply", str(ws), "--auto-approve", "--take-over", "other-ws", env=emu.env()))
        child = api.child("kid")
        assert child["metadata"]["layersReconcileWorkspace"] == WORKSPACE
        assert api.transfers(child["id"]) == {"initial": [500]}  # nothing moved again
        assert len(api.children()) == 1


def test_plan_of_children_needs_org_admin_and_says_so_a_flat_plan_does_not(
    tmp_path: Path,
) -> None:
    emu = rev_b(tmp_path)
    try:
        reads = ["projects:read", "content:read", "social:read", "publish:read", "jobs:read"]
        minted = local_http(emu.url, key="").post("/_emulator/keys", json={"scopes": reads})
        key = minted.json()["apiKey"]
        env = {**emu.env(), "LAYERS_API_KEY": key}
        kids = write_workspace(tmp_path / "kids", {"kid": child_yaml("kid")})
        refused = run_cli("plan", str(kids), env=env)
        assert refused.returncode == 1
        assert "lacks the scope org:admin that `layers-reconcile plan` needs" in refused.stderr
        assert "org:admin has no read-only form" in refused.stderr
        assert key not in refused.stdout + refused.stderr
        flat = write_workspace(tmp_path / "flat", {"solo": flat_yaml("solo")})
        assert run_cli("plan", str(flat), env=env).returncode == 0
    finally:
        emu.stop()


def test_a_transfer_the_parent_cannot_pay_fails_with_advice_and_moves_nothing(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid", transfers=())})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        balance = api.parent_balance()
        write_workspace(ws, {"kid": child_yaml("kid", transfers=(("huge", balance + 1),))})
        failed = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert failed.returncode == 1
        out = failed.stdout + failed.stderr
        assert "kid/organization/transfers/huge" in out
        assert "a transfer to a child organization needs them in the parent's balance" in out
        assert api.parent_balance() == balance
        assert api.transfers(api.child("kid")["id"]) == {}
        plan = run_cli("plan", str(ws), env=emu.env())
        assert "kid/organization/transfers/huge  allocate" in plan.stdout  # still to do


def test_a_migrate_refused_while_a_job_runs_waits_for_the_job_then_moves(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": flat_yaml("kid")})
    emu = rev_b(tmp_path, speed=1.0)  # an influencer job runs for a minute (of the clock)
    api = OrgApi(emu.url)
    try:
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (flat,) = api.items("/v1/projects")
        started = api.http.post(
            f"/v1/projects/{flat['id']}/influencers",
            json={"gender": "female"},
            headers={"Idempotency-Key": "a-job-in-the-project"},
        )
        assert started.json()["status"] == "running", started.text
        (ws / "customers" / "kid.yaml").write_text(child_yaml("kid", transfers=()))
        emu.reset_stats()
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert emu.stats()["routes"]["POST /v1/organizations/migrate"] >= 2  # refused, then done
        child = api.child("kid")
        assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [flat["id"]]
        assert api.items("/v1/projects") == []
    finally:
        api.close()
        emu.stop()
