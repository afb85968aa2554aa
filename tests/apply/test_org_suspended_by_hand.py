"""A child organization someone suspended by hand while its customer file does not manage
`suspended:` (Rev B). Where the API's kill switch answers the parent key inside the child too
(`--suspended-child-header kill_switch`), the customer waits on a person who resumes it: plan and
apply exit 3 and say who must do what, nothing inside the child changes, and `apply
--wait-for-people` goes on converging once someone resumes it. Where the parent key still acts
inside (`manage`), the plan says the child is suspended. The real CLI against the emulator over
HTTP."""

from __future__ import annotations

import json
import time
from pathlib import Path

from layers_reconcile.apply.events import CustomerStatus
from tests.apply.inprocess import InProcess, in_process
from tests.apply.org_support import (
    OrgApi,
    child_yaml,
    ok,
    rev_b_process,
    rev_b_world,
    with_api,
    write_workspace,
)
from tests.apply.support import kill9, run_cli, start_cli
from tests.meanwhile import GUARD

KILL_SWITCH = ("--suspended-child-header", "kill_switch")
STATUS = "kid/organization/status"


def _suspend_by_hand(api: OrgApi, ws: Path, env: dict[str, str]) -> tuple[str, str, str]:
    """Apply the customer, then suspend its child through the API (the file says nothing of
    it) and change the file: a new project name and a new transfer. (child id, project id,
    the file as it was.)"""
    kid = ws / "customers" / "kid.yaml"
    text = kid.read_text(encoding="utf-8")
    ok(run_cli("apply", str(ws), "--auto-approve", env=env))
    child = api.child("kid")
    project = child["metadata"]["layersReconcileProject"]
    api.http.post(f"/v1/organizations/{child['id']}/suspend").raise_for_status()
    changed = text.replace("name: Customer kid", "name: Customer kid renamed").replace(
        "description: onboarding}", "description: onboarding}\n      - {id: more, credits: 70}"
    )
    kid.write_text(changed, encoding="utf-8")
    return child["id"], project, text


def test_plan_and_apply_wait_on_the_person_who_resumes_a_child_suspended_by_hand(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with with_api(rev_b_process(tmp_path, *KILL_SWITCH)) as (emu, api):
        child, project, _ = _suspend_by_hand(api, ws, emu.env())

        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 3, plan.stdout + plan.stderr
        assert f"{STATUS}  wait on person · resume child organization {child}" in plan.stdout
        assert f"POST /v1/organizations/{child}/resume" in plan.stdout
        assert "write `suspended: false`" in plan.stdout

        doc = json.loads(ok(run_cli("plan", str(ws), "--format", "json", env=emu.env())))
        (customer,) = doc["customers"]
        assert customer["projectId"] == project
        (step,) = [s for s in customer["steps"] if s["action"] == "wait_on_person"]
        assert step["address"] == STATUS
        assert step["person"]["kind"] == "organization_resume"
        assert doc["summary"]["waitsOnPeople"] == 1

        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        out = applied.stdout + applied.stderr
        assert applied.returncode == 3, out
        assert "Traceback" not in out
        assert f"{STATUS}: resume child organization {child}" in out
        assert "failed" not in out
        # Nothing changed in (or moved into) the frozen child.
        assert api.child("kid")["status"] == "suspended"
        assert "more" not in api.transfers(child)
        api.http.post(f"/v1/organizations/{child}/resume").raise_for_status()
        assert [p["name"] for p in api.inside(child, "/v1/projects")] == ["Customer kid"]


def test_apply_waiting_for_people_converges_once_someone_resumes_the_child(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with with_api(rev_b_process(tmp_path, *KILL_SWITCH)) as (emu, api):
        child, _, _ = _suspend_by_hand(api, ws, emu.env())
        proc = start_cli(
            "apply", str(ws), "--auto-approve", "--wait-for-people", "1m", env=emu.env()
        )
        assert proc.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + GUARD
        try:
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                seen.append(line)
                if not line or f"{STATUS}: waiting on a person" in line:
                    break
            assert f"{STATUS}: waiting on a person" in "".join(seen), "".join(seen)
            # Someone resumes the child while apply waits.
            api.http.post(f"/v1/organizations/{child}/resume").raise_for_status()
            output, _ = proc.communicate(timeout=GUARD)
        finally:
            if proc.poll() is None:
                kill9(proc)
        everything = "".join(seen) + output
        assert proc.returncode == 0, everything
        assert api.child("kid")["status"] == "active"
        assert [p["name"] for p in api.inside(child, "/v1/projects")] == ["Customer kid renamed"]
        assert api.transfers(child) == {"initial": [500], "more": [70]}
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr


def test_suspended_false_in_the_file_is_still_apply_s_own_resume(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with with_api(rev_b_process(tmp_path, *KILL_SWITCH)) as (emu, api):
        child, _, text = _suspend_by_hand(api, ws, emu.env())
        (ws / "customers" / "kid.yaml").write_text(text + "  suspended: false\n", encoding="utf-8")

        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 2, plan.stdout + plan.stderr
        assert f"{STATUS}  resume" in plan.stdout
        assert "wait on person" not in plan.stdout
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        assert api.child("kid")["status"] == "active"
        assert api.transfers(child) == {"initial": [500]}  # the file as it was


def test_where_the_parent_key_still_acts_inside_the_plan_says_the_child_is_suspended(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    with rev_b_world(tmp_path, "--suspended-child-header", "manage") as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        child = api.child("kid")["id"]
        api.http.post(f"/v1/organizations/{child}/suspend").raise_for_status()

        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert f"child organization {child} is suspended" in plan.stdout
        assert "does not manage `suspended:`" in plan.stdout
        assert "wait on person" not in plan.stdout


# -- the wait itself, on the injected clock (no wall time) ----------------------------------


async def _applied_then_suspended(ip: InProcess, ws: Path) -> str:
    report = await ip.apply(ws)
    assert [o.status for o in report.outcomes] == [CustomerStatus.CONVERGED], report.failed
    (child,) = await ip.items("/v1/organizations")
    answer = await ip.reader.post(f"/v1/organizations/{child['id']}/suspend")
    answer.raise_for_status()
    changed = child_yaml("kid", transfers=(("initial", 500), ("more", 70)))
    (ws / "customers" / "kid.yaml").write_text(changed, encoding="utf-8")
    return str(child["id"])


async def _allocated(ip: InProcess, child: str) -> list[int]:
    """The credits of each allocation on the child's ledger."""
    path = f"/v1/organizations/{child}/credits/events"
    return [e["credits"] for e in await ip.items(path, eventType="allocation")]


async def test_the_wait_reads_the_child_until_it_is_resumed_then_converges(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    async with in_process(api_revision="b", suspended_child_header="kill_switch") as ip:
        child = await _applied_then_suspended(ip, ws)
        reads: list[int] = []
        moved_before_resume: list[int] = []

        async def resume_at_the_third_sleep() -> None:
            reads.append(1)
            if len(reads) == 3:
                moved_before_resume.extend(await _allocated(ip, child))
                answer = await ip.reader.post(f"/v1/organizations/{child}/resume")
                answer.raise_for_status()

        ip.meanwhile.append(resume_at_the_third_sleep)
        report = await ip.apply(ws, wait_for_people=3600.0)
        (outcome,) = report.outcomes
        assert outcome.status is CustomerStatus.CONVERGED, outcome
        assert f"{STATUS} wait_on_person" not in outcome.done  # the person did it
        assert "kid/organization/transfers/more allocate" in outcome.done
        assert moved_before_resume == [500]  # nothing moved into the frozen child
        assert sorted(await _allocated(ip, child)) == [70, 500]
        status = (await ip.reader.get(f"/v1/organizations/{child}")).json()["status"]
        assert status == "active"


async def test_without_a_resume_the_wait_ends_waiting_and_nothing_moved(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    async with in_process(api_revision="b", suspended_child_header="kill_switch") as ip:
        child = await _applied_then_suspended(ip, ws)
        report = await ip.apply(ws, wait_for_people=600.0)
        (outcome,) = report.outcomes
        assert outcome.status is CustomerStatus.WAITING, outcome
        (wait,) = outcome.waits
        assert (wait.address, wait.kind, wait.url) == (STATUS, "organization_resume", None)
        assert outcome.done == []
        assert await _allocated(ip, child) == [500]


async def test_a_child_archived_while_apply_waits_fails_the_customer_by_name(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid")})
    async with in_process(api_revision="b", suspended_child_header="kill_switch") as ip:
        child = await _applied_then_suspended(ip, ws)

        async def archive() -> None:
            answer = await ip.reader.delete(f"/v1/organizations/{child}")
            answer.raise_for_status()

        ip.meanwhile.append(archive)
        report = await ip.apply(ws, wait_for_people=600.0)
        (outcome,) = report.outcomes
        assert outcome.status is CustomerStatus.FAILED, outcome
        assert outcome.failure is not None
        assert f"child organization {child} was archived" in outcome.failure.message
        assert "archive is terminal" in outcome.failure.message
