"""Customers as child organizations (issue 18) where the tool cannot call one child the
customer's own: it refuses the customer (a conflict, with the fix) instead of making a second
project or a second, funded child beside the one that exists. The real CLI against the Rev B
emulator over HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.apply.org_support import (
    OrgApi,
    child_yaml,
    flat_yaml,
    ok,
    rev_b,
    rev_b_world,
    write_workspace,
)
from tests.apply.support import run_cli


def _refused(result: subprocess.CompletedProcess[str]) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out
    return out


def test_removing_the_block_of_a_child_customer_is_refused_never_a_second_project(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        held = child["metadata"]["layersReconcileProject"]
        (ws / "customers" / "kid.yaml").write_text(flat_yaml("kid"), encoding="utf-8")

        plan = run_cli("plan", str(ws), env=emu.env()).stdout
        assert "Conflicts: apply refuses these customers" in plan
        assert f"customer 'kid' lives in child organization {child['id']}" in plan
        assert f"its project {held} is inside it" in plan
        assert "kid/project  create" not in plan

        out = _refused(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert "put the `organization:` block back in the file" in out
        assert api.items("/v1/projects") == []  # nothing made in the parent
        assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [held]
        assert api.child("kid")["status"] == "active"


def test_a_child_whose_stamp_was_removed_by_hand_is_refused_never_a_second_child(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        unstamp = {"metadata": {"layersReconcileWorkspace": ""}}
        api.http.patch(f"/v1/organizations/{child['id']}", json=unstamp).raise_for_status()
        before = api.parent_balance()

        plan = run_cli("plan", str(ws), env=emu.env()).stdout
        assert f"child organization {child['id']} names customer 'kid' but carries no" in plan
        assert "kid/organization  create" not in plan
        assert "allocate" not in plan

        out = _refused(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert '{"layersReconcileWorkspace": "acme-prod"}' in out  # the fix, named
        assert [c["id"] for c in api.children()] == [child["id"]]
        assert api.parent_balance() == before

        # Stamped again, as the refusal says: the customer is the tool's again, nothing to do.
        restamp = {"metadata": {"layersReconcileWorkspace": "acme-prod"}}
        api.http.patch(f"/v1/organizations/{child['id']}", json=restamp).raise_for_status()
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr


def test_two_children_stamped_for_one_customer_are_refused(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        copy = {"name": "copy", "metadata": dict(child["metadata"])}  # the stamp copied by hand
        made = api.http.post("/v1/organizations", json=copy, headers={"Idempotency-Key": "copy"})
        made.raise_for_status()
        before = api.parent_balance()

        plan = run_cli("plan", str(ws), env=emu.env()).stdout
        assert "Conflicts: apply refuses these customers" in plan
        assert child["id"] in plan
        assert made.json()["id"] in plan

        out = _refused(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert "remove metadata.layersReconcileWorkspace from the others" in out
        assert api.parent_balance() == before
        assert api.transfers(made.json()["id"]) == {}


def _git(ws: Path, *args: str) -> None:
    who = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "-C", str(ws), *who, *args], check=True, capture_output=True)


def test_prune_changed_since_archives_the_child_of_a_deleted_file_and_no_other(
    tmp_path: Path,
) -> None:
    customers = {"kid": child_yaml("kid"), "kept": child_yaml("kept"), "flat": flat_yaml("flat")}
    ws = write_workspace(tmp_path / "ws", customers)
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "add", ".")
    _git(ws, "commit", "-qm", "three customers")
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        gone, kept = api.child("kid")["id"], api.child("kept")["id"]
        _git(ws, "rm", "-q", "customers/kid.yaml")
        _git(ws, "commit", "-qm", "kid churned")

        plan = ok(run_cli("plan", str(ws), "--changed-since", "HEAD~1", "--prune", env=emu.env()))
        assert "kid/organization  archive" in plan
        ok(
            run_cli(
                "apply",
                str(ws),
                "--changed-since",
                "HEAD~1",
                "--prune",
                "--auto-approve",
                env=emu.env(),
            )
        )
        status = {c["id"]: c["status"] for c in api.children()}
        assert status == {gone: "archived", kept: "active"}


def test_a_suspended_child_behind_a_kill_switch_on_the_parent_key_can_be_resumed_from_git(
    tmp_path: Path,
) -> None:
    """`--suspended-child-header kill_switch`: the API answers the parent key inside a suspended
    child with 503 KILL_SWITCH. The customer is still planned (its child only) and `suspended:
    false` resumes it, then what waited is applied."""
    text = child_yaml("kid")
    ws = write_workspace(tmp_path / "ws", {"kid": text})
    emu = rev_b(tmp_path, "--suspended-child-header", "kill_switch")
    api = OrgApi(emu.url)
    kid = ws / "customers" / "kid.yaml"
    try:
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        kid.write_text(text + "  suspended: true\n", encoding="utf-8")
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        assert child["status"] == "suspended"

        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "is suspended and the API's kill switch answers the parent key" in plan.stdout

        renamed = text.replace("name: Customer kid", "name: Customer kid renamed")
        kid.write_text(renamed + "  suspended: false\n", encoding="utf-8")
        shown = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "kid/organization/status  resume" in shown
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert api.child("kid")["status"] == "active"
        names = [p["name"] for p in api.inside(child["id"], "/v1/projects")]
        assert names == ["Customer kid renamed"]
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        api.close()
        emu.stop()


def test_import_writes_child_customers_so_prune_of_the_imported_workspace_archives_nothing(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "flat": flat_yaml("flat")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        again = tmp_path / "imported"
        ok(run_cli("import", str(again), env=emu.env()))
        kid = yaml.safe_load((again / "customers" / "kid.yaml").read_text(encoding="utf-8"))
        assert kid["organization"] == {
            "name": "Child kid",
            "billingEmail": "billing@example.com",
            "metadata": {"plan": "pro"},
            "credits": {"monthlyCap": 5000, "transfers": [{"id": "initial", "credits": 500}]},
        }
        for path in (again / "customers").glob("*.yaml"):
            # Rev B has no approval-policy route yet (issue 17's half): left out here.
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.pop("approval", None)
            path.write_text(yaml.safe_dump(data), encoding="utf-8")
        before = api.parent_balance()

        plan = run_cli("plan", str(again), "--prune", "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "archive" not in plan.stdout
        ok(run_cli("apply", str(again), "--prune", "--auto-approve", env=emu.env()))
        assert api.child("kid")["status"] == "active"
        assert api.parent_balance() == before


def test_a_child_whose_external_id_was_edited_by_hand_is_never_archived_nor_doubled(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "other": child_yaml("other")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        edited = {"metadata": {"externalId": "ghost"}}
        api.http.patch(f"/v1/organizations/{child['id']}", json=edited).raise_for_status()
        before = api.parent_balance()

        plan = run_cli("plan", str(ws), "--prune", env=emu.env()).stdout
        assert "  archive" not in plan
        assert "orphan" not in plan
        assert f"child organization {child['id']} holds the project of customer 'kid'" in plan
        assert "kid/organization  create" not in plan

        out = _refused(run_cli("apply", str(ws), "--prune", "--auto-approve", env=emu.env()))
        assert f"set metadata.externalId of child organization {child['id']} back to 'kid'" in out
        assert {c["id"]: c["status"] for c in api.children()} == {
            child["id"]: "active",
            api.child("other")["id"]: "active",
        }
        assert api.parent_balance() == before


def test_migrate_where_every_mapping_value_is_a_new_childs_name_leaves_one_labelled_child(
    tmp_path: Path,
) -> None:
    """The docs: a migrate mapping value is the name of a new child. A flat customer given
    `organization:` ends in one child, labelled, holding its project (never an empty stamped
    child beside one named after an id)."""
    ws = write_workspace(tmp_path / "ws", {"kid": flat_yaml("kid")})
    with rev_b_world(tmp_path, "--migrate-targets", "name") as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (flat,) = api.items("/v1/projects")
        (ws / "customers" / "kid.yaml").write_text(child_yaml("kid"), encoding="utf-8")
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (child,) = api.children()
        assert child["name"] == "Child kid"
        assert child["metadata"]["externalId"] == "kid"
        assert child["metadata"]["layersReconcileWorkspace"] == "acme-prod"
        assert child["metadata"]["plan"] == "pro"
        assert child["billingEmail"] == "billing@example.com"
        assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [flat["id"]]
        assert api.transfers(child["id"]) == {"initial": [500]}
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr


def test_a_child_a_migrate_made_but_never_labelled_is_adopted_not_doubled(tmp_path: Path) -> None:
    """A run stopped right after the migrate (the API made the child; the tool had not labelled
    it yet): the rerun finds the child by the project inside it and labels it."""
    ws = write_workspace(tmp_path / "ws", {"kid": flat_yaml("kid")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (flat,) = api.items("/v1/projects")
        moved = api.http.post(
            "/v1/organizations/migrate",
            json={"mapping": {flat["id"]: "Child kid"}},
            headers={"Idempotency-Key": "by-hand"},
        )
        moved.raise_for_status()
        (made,) = moved.json()["children"]
        (ws / "customers" / "kid.yaml").write_text(child_yaml("kid"), encoding="utf-8")

        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "kid/organization  adopt" in plan
        assert "kid/project  create" not in plan
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (child,) = api.children()
        assert child["id"] == made["id"]
        assert child["metadata"]["externalId"] == "kid"
        assert child["metadata"]["layersReconcileWorkspace"] == "acme-prod"
        assert child["metadata"]["layersReconcileProject"] == flat["id"]
        assert [p["id"] for p in api.inside(child["id"], "/v1/projects")] == [flat["id"]]
        assert api.transfers(child["id"]) == {"initial": [500]}
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr


def test_links_makes_a_child_customers_consent_url_inside_its_child(tmp_path: Path) -> None:
    text = child_yaml("kid")
    ws = write_workspace(tmp_path / "ws", {"kid": text})
    with rev_b_world(tmp_path, auto_consent=False) as (emu, _api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        social = "social:\n  tiktok: {returnUrl: 'http://localhost/done'}\n"
        (ws / "customers" / "kid.yaml").write_text(text + social, encoding="utf-8")

        out = ok(run_cli("links", str(ws), env=emu.env()))
        assert "1 link outstanding, 1 ready to send." in out
        assert "/_emulator/social/authorize?state=" in out
        assert "not found" not in out
