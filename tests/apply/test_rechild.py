"""A customer whose child organization was archived comes back (the real CLI against the Rev B
emulator process): its file put back after `--prune` archived the child, apply makes a NEW child
(the API keeps idempotent answers 24 h: one key per customer replayed the archived child, and the
next step failed 409), the project is created anew inside it, the transfers move into it, and a
`kill -9` right after the child's create is sent, then apply again, makes exactly one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.apply.org_support import (
    OrgApi,
    child_yaml,
    flat_yaml,
    ok,
    rev_b_process,
    with_api,
    write_workspace,
)
from tests.apply.support import Emulator, kill_apply_after, run_cli

CREATE_CHILD = "POST /v1/organizations"
GENERATE = "POST /v1/projects/{projectId}/content/slideshow-builder"


# Content inside the child: its generation's key names no project, so only the customer's
# child round keeps the new child's call from replaying the archived child's container.
CONTENT = f"""\
brand:
  appDescription: {"Order ahead and skip the line. " * 4}
content:
  launch:
    format: slideshow_builder
    brief:
      hook: Skip the line.
"""


def _kids(api: OrgApi) -> list[dict[str, Any]]:
    return [c for c in api.children() if c["metadata"].get("externalId") == "kid"]


def _offboard_then_restore(ws: Path, emu: Emulator) -> None:
    """The partner deletes the customer's file, prunes (archives its child), puts the file back."""
    kid = ws / "customers" / "kid.yaml"
    text = kid.read_text(encoding="utf-8")
    kid.unlink()
    ok(run_cli("apply", str(ws), "--prune", "--auto-approve", env=emu.env()))
    kid.write_text(text, encoding="utf-8")


def _in_sync(ws: Path, emu: Emulator) -> None:
    again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
    assert again.returncode == 0, again.stdout + again.stderr


def _converged_in(api: OrgApi, child: dict[str, Any], *, content: bool = False) -> str:
    """The customer whole inside `child`: its project (id returned), its note of it, its
    transfer, and with `content` the project's one container."""
    [project] = api.inside(child["id"], "/v1/projects")
    assert project["customerExternalId"] == "kid"
    assert child["metadata"]["layersReconcileProject"] == project["id"]
    assert api.transfers(child["id"]) == {"initial": [500]}
    if content:
        made = api.inside(child["id"], f"/v1/projects/{project['id']}/content")
        assert len(made) == 1, made
    return str(project["id"])


def test_a_customer_put_back_after_prune_converges_in_a_new_child(tmp_path: Path) -> None:
    kid = child_yaml("kid") + CONTENT
    ws = write_workspace(tmp_path / "ws", {"kid": kid, "keep": flat_yaml("keep")})
    with with_api(rev_b_process(tmp_path)) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        first = api.child("kid")
        old_project = _converged_in(api, first, content=True)
        held = api.get(f"/v1/organizations/{first['id']}")["summary"]["available"]
        balance = api.parent_balance()

        _offboard_then_restore(ws, emu)
        assert api.get(f"/v1/organizations/{first['id']}")["status"] == "archived"
        balance += held  # swept back by the archive
        assert api.parent_balance() == balance

        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        assert "+ kid/organization  create" in plan
        assert (
            f"child organization {first['id']} ('Child kid', with its project {old_project}) "
            "was this customer's and is archived: it stays archived"
        ) in plan
        out = ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert "converged" in out

        second = api.child("kid")
        assert second["id"] != first["id"]
        assert {c["id"]: c["status"] for c in _kids(api)} == {
            first["id"]: "archived",
            second["id"]: "active",
        }
        assert _converged_in(api, second, content=True) != old_project
        assert api.parent_balance() == balance - 500  # the transfer moved again, into the new child
        _in_sync(ws, emu)

        # and again the same day: a third child, never one of the two archived ones replayed
        _offboard_then_restore(ws, emu)
        plan = ok(run_cli("plan", str(ws), env=emu.env()))
        for gone in (first, second):
            assert f"{gone['id']} ('Child kid', with its project" in plan
        assert "were this customer's and are archived: they stay archived" in plan
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        third = api.child("kid")
        assert third["id"] not in (first["id"], second["id"])
        assert len(_kids(api)) == 3
        _converged_in(api, third, content=True)
        _in_sync(ws, emu)


def test_kill_9_right_after_the_new_child_is_created_then_apply_makes_exactly_one(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "keep": flat_yaml("keep")})
    with with_api(rev_b_process(tmp_path)) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        first = api.child("kid")
        _offboard_then_restore(ws, emu)
        before = len(api.children())

        # the emulator carries the create out and holds its answer: the kill lands right there
        assert kill_apply_after(emu, ws, CREATE_CHILD, 1)
        assert len(api.children()) == before + 1
        made = api.child("kid")
        assert made["id"] != first["id"]

        rerun = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert len(api.children()) == before + 1  # exactly one new child, ever
        assert api.child("kid")["id"] == made["id"]
        _converged_in(api, api.child("kid"))
        _in_sync(ws, emu)


def test_kill_9_right_after_content_is_sent_in_the_new_child_then_apply_makes_it_once(
    tmp_path: Path,
) -> None:
    """Inside the new child the rerun sends the same keys as the killed run (the archived
    children read again are the same), so the generation replays: one container, not two."""
    kid = child_yaml("kid") + CONTENT
    ws = write_workspace(tmp_path / "ws", {"kid": kid, "keep": flat_yaml("keep")})
    with with_api(rev_b_process(tmp_path)) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        _offboard_then_restore(ws, emu)

        assert kill_apply_after(emu, ws, GENERATE, 1)
        made = api.child("kid")
        [project] = api.inside(made["id"], "/v1/projects")
        assert len(api.inside(made["id"], f"/v1/projects/{project['id']}/content")) == 1

        rerun = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert api.child("kid")["id"] == made["id"]
        _converged_in(api, api.child("kid"), content=True)  # still the one container
        _in_sync(ws, emu)
