"""The pure diff of content on Rev B: one step (one call, one container) per variant, found
again by what apply recorded, never by guessing; credits per format; what Rev B does not take
is a warning under `auto`."""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import diff_customer
from layers_reconcile.plan.ids import RESERVED_KEY, brief_hash
from layers_reconcile.plan.model import Action, CustomerPlan, StepKind
from layers_reconcile.plan.targets import ContentTarget
from layers_reconcile.records import Container
from tests.plan.builders import NOW, WORKSPACE, changed, converged, edited, loaded

HOOK = "Skip the line."
BUILDER: dict[str, Any] = {"format": "slideshow_builder", "variants": 2, "brief": {"hook": HOOK}}
VIDEO: dict[str, Any] = {
    "format": "video_remix",
    "source": {"tiktokVideoId": "7300000000000000001"},
    "account": "tiktok",
}


def customer(**content: dict[str, Any]) -> dict[str, Any]:
    return {
        "customerExternalId": "c-1",
        "project": {"name": "C One"},
        "influencer": "Maya",
        "social": {"tiktok": {"returnUrl": "https://app.example/done"}},
        "content": content,
    }


def plan_b(
    data: dict[str, Any],
    actual: ActualCustomer | None = None,
    settings: WorkspaceSpec = WORKSPACE,
) -> CustomerPlan:
    case = loaded(data)
    if actual is None:
        actual = ActualCustomer(customer_external_id=case.spec.customerExternalId)
    return diff_customer(case, actual, settings, now=NOW, revision="b")


def content_steps(plan: CustomerPlan) -> list[tuple[str, Action]]:
    return [(s.address, s.action) for s in plan.steps if s.kind is StepKind.CONTENT]


def converged_b(data: dict[str, Any], **variants_done: int) -> ActualCustomer:
    """What a Rev B apply leaves: per variant a container (hyphenated format, the body it was
    generated from) and the record naming it by variant. `variants_done`: fewer than all."""
    spec = loaded(data).spec
    actual = converged(loaded({**data, "content": {}}).spec)
    project = actual.project
    assert project is not None
    reserved = dict((project.metadata or {})[RESERVED_KEY])
    records: dict[str, Any] = {}
    containers = []
    for key, entry in (spec.content or {}).items():
        done = variants_done.get(key, entry.variants)
        ids = {str(v): f"cnt_{key}-{v}-0000-4000-8000-000000000000" for v in range(1, done + 1)}
        inputs: dict[str, Any] = {}
        if entry.brief.hook and entry.format in ("slideshow_builder", "ugc_remix"):
            inputs["hook"] = entry.brief.hook
        if entry.source is not None:
            inputs["tiktokVideoId"] = entry.source.tiktokVideoId
        if entry.account is not None:
            inputs["account"] = entry.account
        records[key] = {
            "containerIds": list(ids.values()),
            "variantIds": ids,
            "variantJobs": {},
            "briefHash": brief_hash(inputs),
            "format": entry.format,
            "variants": entry.variants,
            "generation": 1,
        }
        body = {k: v for k, v in inputs.items() if k != "account"}
        containers += [
            Container.model_validate(
                {
                    "id": cid,
                    "status": "completed",
                    "format": entry.format.replace("_", "-"),
                    "approvalStatus": "not_required",
                    "brief": {**body, "influencerId": "inf_x"},
                }
            )
            for cid in ids.values()
        ]
    reserved["content"] = records
    metadata = {**(project.metadata or {}), RESERVED_KEY: reserved}
    actual.project = changed(project, metadata=metadata)
    actual.content = containers
    actual.scheduled_posts = []
    return actual


def test_a_new_entry_is_one_step_per_variant_with_the_credits_of_its_format() -> None:
    plan = plan_b(customer(builder=BUILDER, video=VIDEO))
    steps = {s.address: s for s in plan.steps if s.kind is StepKind.CONTENT}
    assert sorted(steps) == ["c-1/content/builder", "c-1/content/builder/v2", "c-1/content/video"]
    assert {a: s.job.credits for a, s in steps.items() if s.job} == {
        "c-1/content/builder": 50,
        "c-1/content/builder/v2": 50,
        "c-1/content/video": 120,
    }
    shown = {c.field: c.after for c in steps["c-1/content/builder/v2"].changes}
    assert shown == {
        "format": "slideshow_builder",
        "route": "slideshow-builder",
        "variant": 2,
        "brief.hook": HOOK,
    }
    video = steps["c-1/content/video"]
    assert {c.field: c.after for c in video.changes}["source.tiktokVideoId"] == (
        "7300000000000000001"
    )
    # it speaks through the TikTok account: it waits for that consent
    assert isinstance(video.target, ContentTarget)
    assert video.target.platform == "tiktok"


def test_a_converged_rev_b_customer_plans_no_content_step() -> None:
    data = customer(builder=BUILDER, video=VIDEO)
    plan = plan_b(data, converged_b(data))
    assert content_steps(plan) == []
    assert plan.warnings == []


def test_a_variant_missing_from_the_record_is_generated_alone() -> None:
    data = customer(builder={**BUILDER, "variants": 3})
    plan = plan_b(data, converged_b(data, builder=1))
    assert content_steps(plan) == [
        ("c-1/content/builder/v2", Action.RUN_JOB),
        ("c-1/content/builder/v3", Action.RUN_JOB),
    ]
    assert all(
        s.target.previousContainerIds is None
        for s in plan.steps
        if isinstance(s.target, ContentTarget)
    )


def test_a_variant_still_generating_is_waited_on_by_its_job() -> None:
    data = customer(builder=BUILDER)
    actual = edited(converged_b(data))
    assert actual.content is not None
    running = "cnt_builder-2-0000-4000-8000-000000000000"
    actual.content = [
        changed(c, status="generating") if c.id == running else c for c in actual.content
    ]
    project = actual.project
    assert project is not None
    assert project.metadata is not None
    reserved = project.metadata[RESERVED_KEY]
    reserved["content"]["builder"]["variantJobs"] = {"2": "job_v2"}
    plan = plan_b(data, actual)
    (step,) = [s for s in plan.steps if s.kind is StepKind.CONTENT]
    assert step.address == "c-1/content/builder/v2"
    assert isinstance(step.target, ContentTarget)
    assert (step.target.jobId, step.target.containerIds) == ("job_v2", [running])
    assert step.job is not None
    assert step.job.credits == 0


def test_a_changed_hook_generates_every_variant_anew_rev_b_has_no_regenerate() -> None:
    data = customer(builder=BUILDER)
    actual = converged_b(data)
    plan = plan_b(customer(builder={**BUILDER, "brief": {"hook": "Skip the queue."}}), actual)
    steps = [s for s in plan.steps if s.kind is StepKind.CONTENT]
    assert [s.address for s in steps] == ["c-1/content/builder", "c-1/content/builder/v2"]
    assert [(c.field, c.before, c.after) for c in steps[0].changes] == [
        ("brief.hook", HOOK, "Skip the queue.")
    ]
    old = ["cnt_builder-1-0000-4000-8000-000000000000", "cnt_builder-2-0000-4000-8000-000000000000"]
    assert all(isinstance(s.target, ContentTarget) for s in steps)
    assert all(
        s.target.previousContainerIds == old for s in steps if isinstance(s.target, ContentTarget)
    )
    assert "Rev B has no regenerate" in (steps[0].reason or "")


def test_a_hook_people_own_is_shown_as_ignored_not_generated_anew() -> None:
    data = customer(builder=BUILDER)
    actual = converged_b(data)
    changed_file = customer(builder={**BUILDER, "brief": {"hook": "Skip the queue."}})
    changed_file["ignore"] = ["content.*.brief.hook"]
    plan = plan_b(changed_file, actual)
    assert content_steps(plan) == []
    assert [(c.field, c.before, c.after) for c in plan.ignored] == [
        ("content.builder.brief.hook", HOOK, "Skip the queue.")
    ]


def test_what_rev_b_does_not_take_changes_nothing_and_is_said_by_config_revision() -> None:
    data = customer(builder={**BUILDER, "brief": {"hook": HOOK, "cta": "Download"}})
    plan = plan_b(data, converged_b(data))
    # the warning under auto (an error under a pin) is config.revision's, at the file's line
    assert plan.warnings == []
    assert content_steps(plan) == []  # the cta is not sent, so it changes nothing


def test_an_entry_rev_b_cannot_carry_out_plans_nothing() -> None:
    plan = plan_b(customer(launch={"brief": {"hook": HOOK}}))  # format auto
    assert content_steps(plan) == []


UGC: dict[str, Any] = {
    "format": "ugc_remix",
    "variants": 2,
    "brief": {"hook": HOOK, "cta": "Download"},  # Rev B sends the hook alone
}


def test_content_made_on_rev_a_is_not_generated_again_once_the_api_speaks_rev_b() -> None:
    data = customer(demo=UGC)
    plan = plan_b(data, converged(loaded(data).spec))
    assert content_steps(plan) == []
    changed_hook = customer(demo={**UGC, "brief": {"hook": "Skip the queue.", "cta": "Download"}})
    moved = plan_b(changed_hook, converged(loaded(data).spec))
    assert [a for a, _ in content_steps(moved)] == ["c-1/content/demo", "c-1/content/demo/v2"]


def test_content_made_on_rev_b_is_not_regenerated_once_the_api_speaks_rev_a() -> None:
    data = customer(demo=UGC)
    case = loaded(data)
    plan = diff_customer(case, converged_b(data), WORKSPACE, now=NOW, revision="a")
    assert content_steps(plan) == []


def test_a_failed_variant_alone_is_made_again() -> None:
    data = customer(builder={**BUILDER, "variants": 3})
    actual = edited(converged_b(data))
    assert actual.content is not None
    broken = "cnt_builder-2-0000-4000-8000-000000000000"
    actual.content = [changed(c, status="failed") if c.id == broken else c for c in actual.content]
    plan = plan_b(data, actual)
    (step,) = [s for s in plan.steps if s.kind is StepKind.CONTENT]
    assert step.address == "c-1/content/builder/v2"
    assert isinstance(step.target, ContentTarget)
    assert step.target.previousContainerIds == [broken]
    assert step.job is not None
    assert step.job.credits == 50  # one variant's credits, not three


def test_more_variants_generate_only_the_new_ones() -> None:
    # Rev B makes each variant in a call of its own: raising `variants:` from 2 to 3 adds v3,
    # and the two containers already made (and their queued posts) stay.
    before = customer(builder=BUILDER)
    after = customer(builder={**BUILDER, "variants": 3})
    plan = plan_b(after, converged_b(before))
    assert content_steps(plan) == [("c-1/content/builder/v3", Action.RUN_JOB)]
    (step,) = [s for s in plan.steps if s.kind is StepKind.CONTENT]
    assert isinstance(step.target, ContentTarget)
    assert step.target.previousContainerIds is None
    assert step.job is not None
    assert step.job.credits == 50


def test_fewer_variants_keep_the_first_ones_and_generate_nothing() -> None:
    before = customer(builder={**BUILDER, "variants": 3})
    after = customer(builder=BUILDER)
    plan = plan_b(after, converged_b(before))
    assert content_steps(plan) == []
    assert plan.steps == []
