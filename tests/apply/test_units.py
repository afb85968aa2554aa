"""The executor's pure parts: durations, the reserved key, ordering around people, staleness,
the guide's recoveries, the parallelism seat, and what the progress view prints."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import pytest
from rich.console import Console

from layers_reconcile.apply.context import Gate, GateCheck, GateState
from layers_reconcile.apply.customer import CustomerRun, stale_addresses
from layers_reconcile.apply.events import (
    ApplyReport,
    CustomerFinished,
    CustomerOutcome,
    CustomerStarted,
    CustomerStatus,
    Failure,
    JobProgress,
    PersonWait,
    StepFailed,
    StepStarted,
    WaitingOnPerson,
)
from layers_reconcile.apply.recovery import (
    GRANT_REPO,
    REINSTALL,
    SET_PLATFORMS,
    failure_from,
)
from layers_reconcile.apply.reserved import Reserved, mutated
from layers_reconcile.apply.slot import Slot
from layers_reconcile.durations import format_duration, parse_duration
from layers_reconcile.errors import ApiClientError, JobFailedError, ValidationError
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.plan.model import Action, CustomerPlan, Step, StepKind
from layers_reconcile.records import Project
from layers_reconcile.render.progress import ProgressView
from layers_reconcile.render.report import render_report

C = "quinn-coffee-001"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("0", 0), ("2.5s", 2.5)],
)
def test_durations_as_users_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "m", "5 minutes", "1h 2"])
def test_bad_durations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="30s, 10m, 1h"):
        parse_duration(text)


def test_durations_read_back_short() -> None:
    assert [format_duration(s) for s in (3, 45, 185, 7300)] == ["3s", "45s", "3m05s", "2h01m"]


def test_reserved_write_keeps_the_users_metadata() -> None:
    project = Project.model_validate(
        {
            "id": "p1",
            "customerExternalId": None,
            "metadata": {"tier": "gold", RESERVED_KEY: {"v": 1, "workspace": "w"}},
        }
    )

    def record(reserved: Reserved) -> None:
        reserved["influencerId"] = "inf_1"

    reserved, metadata = mutated(project, record)
    assert reserved == {"v": 1, "workspace": "w", "influencerId": "inf_1"}
    assert metadata == {"tier": "gold", RESERVED_KEY: reserved}
    assert project.metadata is not None
    assert project.metadata[RESERVED_KEY] == {"v": 1, "workspace": "w"}  # not mutated


def test_reserved_write_that_changes_nothing_sends_nothing() -> None:
    project = Project.model_validate(
        {
            "id": "p1",
            "customerExternalId": None,
            "metadata": {RESERVED_KEY: {"v": 1, "workspace": "w"}},
        }
    )
    _, metadata = mutated(project, lambda r: r.update({"workspace": "w"}))
    assert metadata is None


def step(address: str, kind: StepKind, action: Action, **target: Any) -> Step:
    return Step(address=f"{C}/{address}", kind=kind, action=action, target=target)


def runner() -> CustomerRun:
    run = CustomerRun.__new__(CustomerRun)
    run.ctx = type("Ctx", (), {"customer": C})()
    run.gates = {}
    return run


def open_gate(run: CustomerRun, address: str) -> None:
    """A person-gated step left open (what is held back reads only its address)."""

    async def pending() -> GateCheck:
        return GateCheck(GateState.PENDING)

    run.gates[address] = Gate(PersonWait(address, "github_install", None, "open"), pending, 0.0)


def addresses(steps: list[Step]) -> list[str]:
    return [s.address.removeprefix(C + "/") for s in steps]


FULL = [
    step("github", StepKind.GITHUB, Action.WAIT_ON_PERSON, org="acme"),
    step("ingest", StepKind.INGEST, Action.RUN_JOB),
    step("brand", StepKind.BRAND, Action.UPDATE),
    step("influencer", StepKind.INFLUENCER, Action.SELECT),
    step("social/tiktok", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="tiktok"),
    step("content/a", StepKind.CONTENT, Action.RUN_JOB),
    step("content/a/approval", StepKind.CONTENT_APPROVAL, Action.APPROVE, containerIds=["c1"]),
    step(
        "content/a/schedule/tiktok",
        StepKind.SCHEDULE,
        Action.SCHEDULE,
        platform="tiktok",
        containerId="c1",
        postId="p1",
    ),
]


def test_with_no_gate_open_everything_is_runnable_in_stage_order() -> None:
    assert addresses(runner()._actionable(FULL)) == addresses(FULL)


def test_steps_that_need_an_observation_first_wait_for_it() -> None:
    steps = [
        step("content/a", StepKind.CONTENT, Action.RUN_JOB),
        step("content/a/approval", StepKind.CONTENT_APPROVAL, Action.APPROVE),  # no containers yet
        step("content/a/schedule/tiktok", StepKind.SCHEDULE, Action.SCHEDULE, platform="tiktok"),
        step("content/b/schedule/tiktok", StepKind.SCHEDULE, Action.RESCHEDULE, postId="p2"),
    ]
    assert addresses(runner()._actionable(steps)) == ["content/a", "content/b/schedule/tiktok"]


def test_an_open_install_holds_back_what_needs_the_repo_but_not_the_social_consent() -> None:
    run = runner()
    open_gate(run, f"{C}/github")
    assert addresses(run._actionable(FULL)) == ["social/tiktok"]


def test_an_open_oauth_consent_holds_back_only_the_posts_on_that_platform() -> None:
    run = runner()
    open_gate(run, f"{C}/social/tiktok")
    steps = [
        step("social/tiktok", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="tiktok"),
        step("content/a", StepKind.CONTENT, Action.RUN_JOB),
        step("content/b", StepKind.CONTENT, Action.RUN_JOB),
        step(
            "content/c/schedule/tiktok",
            StepKind.SCHEDULE,
            Action.SCHEDULE,
            platform="tiktok",
            containerId="c",
            postId="p",
        ),
        step(
            "content/c/schedule/ig",
            StepKind.SCHEDULE,
            Action.SCHEDULE,
            platform="instagram",
            containerId="c",
            postId="q",
        ),
        step("content/c/schedule/tt2", StepKind.SCHEDULE, Action.RESCHEDULE, platform="tiktok"),
    ]
    assert addresses(run._actionable(steps)) == [
        "content/a",
        "content/b",
        "content/c/schedule/ig",
        "content/c/schedule/tt2",
    ]


def test_a_pending_approval_holds_back_the_schedules_of_its_content_only() -> None:
    run = runner()
    open_gate(run, f"{C}/content/a/approval")
    ids = {"containerId": "c", "postId": "p", "platform": "tiktok"}
    steps = [
        step("content/a/approval", StepKind.CONTENT_APPROVAL, Action.WAIT_ON_PERSON),
        step("content/a/schedule/tiktok", StepKind.SCHEDULE, Action.SCHEDULE, **ids),
        step("content/b/schedule/tiktok", StepKind.SCHEDULE, Action.SCHEDULE, **ids),
    ]
    assert addresses(run._actionable(steps)) == ["content/b/schedule/tiktok"]


def test_a_stale_plan_names_what_changed() -> None:
    saved = CustomerPlan(
        customer_external_id=C,
        project_id="p",
        desired_fingerprint="d1",
        actual_fingerprints={f"{C}/project": "a", f"{C}/brand": "b"},
    )
    same = saved.model_copy()
    assert stale_addresses(saved, same) == []
    moved = saved.model_copy(
        update={"actual_fingerprints": {f"{C}/project": "a", f"{C}/brand": "B"}}
    )
    assert stale_addresses(saved, moved) == [f"{C}/brand"]
    edited = saved.model_copy(update={"desired_fingerprint": "d2"})
    assert stale_addresses(saved, edited) == [f"{C} (its file changed)"]


def test_the_guides_recoveries() -> None:
    lost = ApiClientError(
        "no installation",
        status=422,
        code="PLATFORM_ERROR",
        request_id="req_1",
        details={"subcode": "installation_not_found"},
    )
    failure = failure_from(f"{C}/ingest", lost, repo="quinns-coffee/quinns-app")
    assert (failure.code, failure.request_id, failure.recovery) == (
        "PLATFORM_ERROR",
        "req_1",
        REINSTALL,
    )
    private = ValidationError(
        "repo not covered",
        status=422,
        code="VALIDATION",
        request_id="req_2",
        details={"issues": [{"path": "repoFullName", "message": "not covered"}]},
    )
    failure = failure_from(f"{C}/ingest", private, repo="acme/app-private")
    assert failure.recovery == GRANT_REPO.format(repo="acme/app-private")
    job = JobFailedError(
        "job failed",
        job_id="job_1",
        code="SDK_PATCH_GENERATION_FAILED",
        job={"error": {"code": "SDK_PATCH_GENERATION_FAILED", "requestId": "req_3"}},
    )
    failure = failure_from(f"{C}/ingest", job)
    assert (failure.code, failure.job_id, failure.recovery) == (
        "SDK_PATCH_GENERATION_FAILED",
        "job_1",
        SET_PLATFORMS,
    )


async def test_the_seat_is_given_up_while_waiting() -> None:
    semaphore = asyncio.Semaphore(1)
    busy = 0
    peak = 0
    order: list[str] = []

    async def customer(name: str) -> None:
        nonlocal busy, peak
        slot = Slot(semaphore)
        async with slot.working():
            busy += 1
            peak = max(peak, busy)
            order.append(f"{name} works")
            busy -= 1
            async with slot.waiting():
                await asyncio.sleep(0.05)  # a job: the seat goes to the next customer
            busy += 1
            peak = max(peak, busy)
            order.append(f"{name} works again")
            busy -= 1

    await asyncio.wait_for(asyncio.gather(*(customer(n) for n in "abc")), 5)
    assert peak == 1
    assert order[:3] == ["a works", "b works", "c works"]


def render(events: list[Any], *, report: ApplyReport | None = None) -> str:
    out = io.StringIO()
    console = Console(file=out, no_color=True, width=200, force_terminal=False)
    with ProgressView(console, live=False) as view:
        for event in events:
            view.handle(event)
    if report is not None:
        view.summary(report)
    return out.getvalue()


def test_on_a_terminal_v_lines_above_the_table_name_their_customer() -> None:
    """`apply -v` on a terminal: two customers' "started" and "converged" lines must say whose
    they are, as the plain lines do."""
    out = io.StringIO()
    console = Console(file=out, no_color=True, width=200, force_terminal=True)
    with ProgressView(console, live=True, verbose=1) as view:
        for customer in ("c005", "c007"):
            view.handle(CustomerStarted(customer))
        for customer in ("c005", "c007"):
            done = CustomerOutcome(customer, CustomerStatus.CONVERGED, done=["x update"])
            view.handle(CustomerFinished(done))
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    lines = [line.split("\r")[-1] for line in shown.splitlines()]
    assert "c005: started" in lines
    assert "c007: started" in lines
    assert "c007: converged: 1 step in 0s" in lines


def test_plain_lines_and_summary_name_urls_codes_and_recoveries() -> None:
    wait = PersonWait(
        f"{C}/social/tiktok",
        "social_oauth",
        "http://emu/_emulator/oauth?state=st_1",
        "connect tiktok",
    )
    failure = Failure(
        address="acme/ingest",
        message="no supported platform",
        code="SDK_PATCH_GENERATION_FAILED",
        request_id="req_9",
        recovery=SET_PLATFORMS,
        job_id="job_9",
    )
    waiting = CustomerOutcome(C, CustomerStatus.WAITING, waits=[wait], done=["x create"])
    failed = CustomerOutcome("acme", CustomerStatus.FAILED, failure=failure)
    events = [
        StepStarted(C, f"{C}/ingest", Action.RUN_JOB),
        JobProgress(C, f"{C}/ingest", "job_1", "cloning", 10.0, 2.0, 330.0),
        JobProgress(C, f"{C}/ingest", "job_1", "cloning", 12.0, 3.0, 330.0),  # not worth a line
        JobProgress(C, f"{C}/ingest", "job_1", "analyzing", 30.0, 9.0, 330.0),
        WaitingOnPerson(C, wait),
        StepFailed("acme", failure),
        CustomerFinished(waiting),
        CustomerFinished(failed),
    ]
    text = render(events, report=ApplyReport([waiting, failed], elapsed=12.0))
    assert text.count("cloning") == 1
    assert "analyzing 30% 9s of ~5m30s" in text
    assert "http://emu/_emulator/oauth?state=st_1" in text
    assert "SDK_PATCH_GENERATION_FAILED" in text
    assert "req_9" in text
    assert "github.platforms" in text
    assert "Apply stopped: 2 customers, 1 waiting, 1 failed" in text


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_mode_never_goes_silent_while_a_job_or_a_person_is_awaited() -> None:
    out = io.StringIO()
    console = Console(file=out, no_color=True, width=200, force_terminal=False)
    clock = Ticks()
    wait = PersonWait(f"{C}/social/tiktok", "social_oauth", "http://emu/x", "connect tiktok")
    with ProgressView(console, live=False, clock=clock) as view:
        view.handle(StepStarted(C, f"{C}/ingest", Action.RUN_JOB))
        view.handle(JobProgress(C, f"{C}/ingest", "job_1", "analyzing", 42.0, 40.0, 300.0))
        view.handle(WaitingOnPerson(C, wait))
        before = out.getvalue()
        clock.now = 29.0
        view.heartbeat()
        assert out.getvalue() == before  # something was said less than 30 s ago
        clock.now = 30.0
        view.heartbeat()
        lines = out.getvalue()[len(before) :].splitlines()
        assert any(
            f"{C}: still waiting: {C}/ingest analyzing 42% 1m10s of ~5m" in line for line in lines
        )
        assert any(f"still waiting on a person: {C}/social/tiktok" in line for line in lines)
        seen = out.getvalue()
        clock.now = 45.0
        view.heartbeat()
        assert out.getvalue() == seen
        clock.now = 61.0
        view.heartbeat()
        assert "1m41s of ~5m" in out.getvalue()[len(seen) :]


def test_the_report_of_one_customer_says_customer() -> None:
    one = ApplyReport([CustomerOutcome("c-1", CustomerStatus.CONVERGED)], elapsed=1.0)
    two = ApplyReport([CustomerOutcome(f"c-{i}", CustomerStatus.CONVERGED) for i in (1, 2)])
    assert "**Apply: 1 customer: 1 converged," in render_report(one)
    assert "**Apply: 2 customers: 2 converged," in render_report(two)
