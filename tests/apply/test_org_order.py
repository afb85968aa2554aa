"""The kill switch and the other changes of one apply (issue 18's review): a resume runs before
any step inside the child, a suspend after every other step of that customer, and a run never
reports a customer converged while a step of it failed. The real CLI against the Rev B emulator
over HTTP, under both of the emulator's answers to the parent key inside a suspended child."""

from __future__ import annotations

from pathlib import Path

import pytest

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

SETTINGS = ("manage", "kill_switch")


@pytest.mark.parametrize("header", SETTINGS)
def test_suspend_with_other_changes_runs_last_and_every_change_lands(
    tmp_path: Path, header: str
) -> None:
    text = child_yaml("kid")
    ws = write_workspace(tmp_path / "ws", {"kid": text})
    emu = rev_b(tmp_path, "--suspended-child-header", header)
    api = OrgApi(emu.url)
    kid = ws / "customers" / "kid.yaml"
    try:
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        changed = text.replace("name: Customer kid", "name: Customer kid renamed").replace(
            "description: onboarding}", "description: onboarding}\n      - {id: more, credits: 70}"
        )
        kid.write_text(changed + "  suspended: true\n", encoding="utf-8")

        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert plan.index("kid/project  update") < plan.index("kid/organization/status  suspend")
        assert plan.index("kid/organization/transfers/more") < plan.index(
            "kid/organization/status  suspend"
        )

        out = ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert "failed" not in out
        assert out.index("kid/project") < out.index("kid/organization/status")
        child = api.child("kid")
        assert child["status"] == "suspended"
        assert api.transfers(child["id"]) == {"initial": [500], "more": [70]}
        # Read inside with the parent key once the child is resumed by hand.
        api.http.post(f"/v1/organizations/{child['id']}/resume").raise_for_status()
        names = [p["name"] for p in api.inside(child["id"], "/v1/projects")]
        assert names == ["Customer kid renamed"]
    finally:
        api.close()
        emu.stop()


@pytest.mark.parametrize("header", SETTINGS)
def test_resume_with_other_changes_runs_first_and_every_change_lands(
    tmp_path: Path, header: str
) -> None:
    text = child_yaml("kid")
    ws = write_workspace(tmp_path / "ws", {"kid": text + "  suspended: true\n"})
    emu = rev_b(tmp_path, "--suspended-child-header", header)
    api = OrgApi(emu.url)
    kid = ws / "customers" / "kid.yaml"
    try:
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert api.child("kid")["status"] == "suspended"
        changed = text.replace("name: Customer kid", "name: Customer kid renamed").replace(
            "description: onboarding}", "description: onboarding}\n      - {id: more, credits: 70}"
        )
        kid.write_text(changed + "  suspended: false\n", encoding="utf-8")

        out = ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert "failed" not in out
        assert out.index("kid/organization/status") < out.index("kid/project")
        child = api.child("kid")
        assert child["status"] == "active"
        assert api.transfers(child["id"]) == {"initial": [500], "more": [70]}
        names = [p["name"] for p in api.inside(child["id"], "/v1/projects")]
        assert names == ["Customer kid renamed"]
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        api.close()
        emu.stop()


def test_a_stamped_empty_child_beside_a_flat_project_is_refused_never_a_second_child(
    tmp_path: Path,
) -> None:
    """The docs: a migrate mapping value is the name of a NEW child, so no project moves into a
    child that exists. A stamped child holding no project beside the customer's flat project is
    refused with the fix (was: its id sent as a name, and a second child named org_… made)."""
    ws = write_workspace(tmp_path / "ws", {"kid": flat_yaml("kid")})
    with rev_b_world(tmp_path, "--migrate-targets", "name") as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (flat,) = api.items("/v1/projects")
        stamp = {"externalId": "kid", "layersReconcileWorkspace": "acme-prod"}
        made = api.http.post(
            "/v1/organizations",
            json={"name": "Child kid", "metadata": stamp},
            headers={"Idempotency-Key": "by-hand"},
        )
        made.raise_for_status()
        empty = made.json()["id"]
        (ws / "customers" / "kid.yaml").write_text(child_yaml("kid"), encoding="utf-8")
        before = api.parent_balance()

        plan = run_cli("plan", str(ws), env=emu.env()).stdout
        assert "Conflicts: apply refuses these customers" in plan
        assert f"child organization {empty} carries this workspace's stamp" in plan
        assert "migrate" not in plan.split("Conflicts")[0]
        assert "allocate" not in plan

        out = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        text = out.stdout + out.stderr
        assert out.returncode == 1, text
        assert "Traceback" not in text
        assert f"archive child organization {empty}" in text  # the fix, named
        assert [c["id"] for c in api.children()] == [empty]
        assert [p["id"] for p in api.items("/v1/projects")] == [flat["id"]]
        assert api.parent_balance() == before


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_customer_plan_refuses_beside_a_child_whose_external_id_was_edited(
    tmp_path: Path, command: str
) -> None:
    """`--customer kid` holds the same protection as a whole-workspace plan: kid's child, its
    externalId edited by hand, still holds kid's project; never a second, funded child."""
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "other": child_yaml("other")})
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")
        edited = {"metadata": {"externalId": "ghost"}}
        api.http.patch(f"/v1/organizations/{child['id']}", json=edited).raise_for_status()
        before = api.parent_balance()

        args = ["--auto-approve"] if command == "apply" else []
        out = run_cli(command, str(ws), "--customer", "kid", *args, env=emu.env())
        text = out.stdout + out.stderr
        assert "Traceback" not in text
        assert f"child organization {child['id']} holds the project of customer 'kid'" in text
        assert "kid/organization  create" not in text
        if command == "apply":
            assert out.returncode == 1, text
            assert f"set metadata.externalId of child organization {child['id']} back" in text
        assert len(api.children()) == 2
        assert api.parent_balance() == before
