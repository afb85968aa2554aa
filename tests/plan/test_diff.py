"""Unit tests of the pure diff: one behaviour each, on small customer files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.errors import ConfigError
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import archive_plan, build_plan, diff_customer
from layers_reconcile.plan.ids import RESERVED_KEY, post_id_for
from layers_reconcile.plan.model import FORMAT_VERSION, Action, CustomerPlan, Plan, StepKind
from layers_reconcile.plan.targets import (
    ContentApprovalTarget,
    ContentTarget,
    InfluencerTarget,
    ScheduleTarget,
)
from layers_reconcile.records import Project
from tests.plan.builders import NOW, WORKSPACE, changed, converged, edited, loaded

BASE: dict[str, Any] = {"customerExternalId": "c-1", "project": {"name": "C One"}}


def spec(**sections: Any) -> dict[str, Any]:
    return {**BASE, **sections}


def plan_of(data: dict[str, Any], actual: ActualCustomer | None = None, **kw: Any) -> CustomerPlan:
    customer = loaded(data)
    if actual is None:
        actual = ActualCustomer(customer_external_id=customer.spec.customerExternalId)
    return diff_customer(
        customer,
        actual,
        kw.pop("settings", WORKSPACE),
        now=kw.pop("now", NOW),
        take_over=kw.pop("take_over", None),
    )


def steps(plan: CustomerPlan) -> list[tuple[str, Action]]:
    return [(s.address, s.action) for s in plan.steps]


def test_new_project_without_timezone_gets_utc() -> None:
    plan = plan_of(spec())
    (create,) = plan.steps
    assert create.action == Action.CREATE
    assert {c.field: c.after for c in create.changes} == {
        "customerExternalId": "c-1",
        "name": "C One",
        "timezone": "UTC",
    }
    assert plan.project_id is None


def test_everything_after_a_project_create_is_known_after_apply() -> None:
    plan = plan_of(
        spec(
            approval={"requiresApproval": True},
            brand={"tagline": "t"},
            influencer="Maya",
        )
    )
    by_kind = {s.kind: s for s in plan.steps}
    assert all(c.before_unknown for c in by_kind[StepKind.APPROVAL].changes)
    assert all(c.before_unknown for c in by_kind[StepKind.BRAND].changes)
    assert by_kind[StepKind.INFLUENCER].changes[0].after_unknown
    assert by_kind[StepKind.INFLUENCER].target.model_dump() == {"name": "Maya"}


def test_server_defaults_and_unmanaged_fields_never_show() -> None:
    data = spec(approval={"requiresApproval": True})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    actual.project = changed(
        actual.project, timezone="Asia/Tokyo", ownerEmail="x@y.z", primaryLanguage="fr"
    )
    assert actual.approval_policy is not None
    actual.approval_policy = changed(actual.approval_policy, firstNPostsBlocked=7)
    assert plan_of(data, actual).steps == []


def test_drift_shows_exactly_the_field_that_moved() -> None:
    data = spec(brand={"tagline": "Skip the line.", "brandVoice": "Warm."})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    assert actual.project.brand_context is not None
    actual.project.brand_context["tagline"] = "Changed in the UI"
    (step,) = plan_of(data, actual).steps
    assert (step.address, step.action) == ("c-1/brand", Action.UPDATE)
    assert [(c.field, c.before, c.after) for c in step.changes] == [
        ("tagline", "Changed in the UI", "Skip the line.")
    ]


def test_user_metadata_is_compared_without_the_reserved_key() -> None:
    data = spec(project={"name": "C One", "metadata": {"tier": "gold"}})
    actual = converged(loaded(data).spec)
    assert plan_of(data, actual).steps == []
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata["extra"] = 1
    (step,) = plan_of(data, actual).steps
    assert [(c.field, c.before, c.after) for c in step.changes] == [("metadata.extra", 1, None)]
    assert RESERVED_KEY not in str([c.field for c in step.changes])


def test_archived_project_is_made_active_again() -> None:
    actual = converged(loaded(spec()).spec)
    assert actual.project is not None
    actual.project = changed(actual.project, status="archived")
    (step,) = plan_of(spec(), actual).steps
    assert step.action == Action.UPDATE
    assert (step.changes[0].field, step.changes[0].after) == ("status", "active")


def test_project_stamped_by_another_workspace_is_a_conflict_not_a_step() -> None:
    actual = converged(loaded(spec()).spec, workspace="someone-else")
    plan = plan_of(spec(), actual)
    assert plan.steps == []
    assert plan.conflict is not None
    assert plan.conflict.workspace == "someone-else"
    assert "--take-over someone-else" in plan.conflict.message


def test_take_over_naming_the_other_workspace_adopts_with_a_warning() -> None:
    actual = converged(loaded(spec()).spec, workspace="someone-else")
    (step,) = plan_of(spec(), actual, take_over="someone-else").steps
    assert step.action == Action.ADOPT
    assert "someone-else" in step.warnings[0]
    wrong = plan_of(spec(), actual, take_over="a-third-one")
    assert wrong.conflict is not None
    assert wrong.steps == []


def test_github_installation_given_but_not_registered_is_registered() -> None:
    data = spec(github={"installationId": 5, "repo": "org/app"})
    actual = converged(loaded(data).spec)
    actual.github_installations = []
    assert steps(plan_of(data, actual)) == [("c-1/github", Action.REGISTER)]


def test_installation_of_another_org_warns() -> None:
    data = spec(github={"installationId": 5, "repo": "org/app"})
    actual = converged(loaded(data).spec)
    assert actual.github_installations is not None
    actual.github_installations[0] = changed(actual.github_installations[0], login="other")
    plan = plan_of(data, actual)
    assert plan.steps == []
    assert "installation_not_found" in plan.warnings[0]


def test_repo_change_reingests_and_brand_before_becomes_unknown() -> None:
    data = spec(github={"repo": "org/app"}, brand={"tagline": "t"})
    actual = converged(loaded(spec(github={"repo": "org/old"}, brand={"tagline": "t"})).spec)
    actual.github_installations = converged(loaded(data).spec).github_installations
    plan = plan_of(data, actual)
    assert steps(plan) == [("c-1/ingest", Action.RUN_JOB), ("c-1/brand", Action.UPDATE)]
    assert plan.steps[0].changes[0].before == "org/old"
    assert plan.steps[1].changes[0].before_unknown


def test_pinned_influencer_changes_by_name() -> None:
    data = spec(influencer="Default ambassador")
    actual = converged(loaded(spec(influencer="Maya")).spec)
    (step,) = plan_of(data, actual).steps
    assert step.action == Action.SELECT
    assert isinstance(step.target, InfluencerTarget)
    assert step.target.influencerId == "inf_00000000-0000-4000-8000-000000000002"


def test_content_job_still_running_waits_and_costs_nothing_more() -> None:
    data = spec(content={"k": {"brief": {"hook": "h"}}})
    actual = converged(loaded(data).spec)
    assert actual.content is not None
    actual.content[0] = changed(actual.content[0], status="generating")
    (step,) = plan_of(data, actual).steps
    assert step.action == Action.RUN_JOB
    assert step.job is not None
    assert step.job.credits == 0
    assert isinstance(step.target, ContentTarget)
    assert step.target.jobId == "job_content_k"


def test_pending_containers_are_approved_when_the_file_approves() -> None:
    data = spec(
        approval={"requiresApproval": True},
        content={"k": {"brief": {"hook": "h"}, "approve": True}},
    )
    actual = converged(loaded(data).spec)
    assert actual.content is not None
    actual.content[0] = changed(actual.content[0], approvalStatus="pending")
    (step,) = plan_of(data, actual).steps
    assert (step.address, step.action) == ("c-1/content/k/approval", Action.APPROVE)
    assert isinstance(step.target, ContentApprovalTarget)
    assert step.target.containerIds == [actual.content[0].id]


def test_credits_follow_the_format_and_variants() -> None:
    data = spec(content={"a": {"brief": {}, "format": "slideshow_remix", "variants": 3}})
    (_, job) = plan_of(data).steps
    assert job.job is not None
    assert job.job.credits == 150


def test_schedule_entry_with_an_id_has_its_own_address_and_post() -> None:
    data = spec(
        social={"tiktok": {}},
        content={
            "k": {
                "brief": {},
                "schedule": [
                    {"account": "tiktok", "mode": "direct_publish", "at": "2027-03-01T10:00:00Z"},
                    {
                        "account": "tiktok",
                        "mode": "direct_publish",
                        "at": "2027-03-02T10:00:00Z",
                        "id": "second",
                    },
                ],
            }
        },
    )
    actual = converged(loaded(data).spec)
    assert actual.scheduled_posts is not None
    actual.scheduled_posts = actual.scheduled_posts[:1]
    (step,) = plan_of(data, actual).steps
    assert step.address == "c-1/content/k/schedule/second"
    assert actual.project is not None
    assert isinstance(step.target, ScheduleTarget)
    assert step.target.postId == post_id_for(actual.project.id, "k", "tiktok", 1, "second")


def test_a_schedule_step_carries_what_apply_sends_in_its_target() -> None:
    data = spec(
        social={"tiktok": {}},
        content={
            "k": {
                "brief": {},
                "schedule": [
                    {
                        "account": "tiktok",
                        "mode": "direct_publish",
                        "at": "2027-03-01T10:00:00Z",
                        "captionOverride": "Launch day",
                    }
                ],
            }
        },
    )
    actual = converged(loaded(data).spec)
    actual.scheduled_posts = []
    plan = build_plan([plan_of(data, actual)], now=NOW)
    (step,) = plan.customers[0].steps
    assert isinstance(step.target, ScheduleTarget)
    assert (step.target.scheduledFor, step.target.mode, step.target.captionOverride) == (
        "2027-03-01T10:00:00Z",
        "direct_publish",
        "Launch day",
    )
    assert Plan.from_document(plan.to_document()).customers[0].steps[0].target == step.target


def test_published_post_is_never_moved() -> None:
    data = spec(
        social={"tiktok": {}},
        content={
            "k": {
                "brief": {},
                "schedule": [
                    {"account": "tiktok", "mode": "direct_publish", "at": "2027-03-01T10:00:00Z"}
                ],
            }
        },
    )
    actual = converged(loaded(data).spec)
    assert actual.scheduled_posts is not None
    actual.scheduled_posts[0] = changed(actual.scheduled_posts[0], status="published")
    moved = spec(
        social={"tiktok": {}},
        content={
            "k": {
                "brief": {},
                "schedule": [
                    {"account": "tiktok", "mode": "direct_publish", "at": "2027-03-05T10:00:00Z"}
                ],
            }
        },
    )
    plan = plan_of(moved, actual)
    assert plan.steps == []
    assert "already published" in plan.warnings[0]


def test_content_section_absent_is_not_managed() -> None:
    actual = converged(loaded(spec(content={"k": {"brief": {}}})).spec)
    assert plan_of(spec(), actual).steps == []


def test_each_address_has_a_fingerprint_that_moves_only_with_its_facts() -> None:
    data = spec(brand={"tagline": "t"}, approval={"requiresApproval": True})
    actual = converged(loaded(data).spec)
    before = plan_of(data, actual).actual_fingerprints
    assert set(before) == {"c-1/project", "c-1/approval", "c-1/brand"}
    drifted = edited(actual)
    assert drifted.project is not None
    assert drifted.project.brand_context is not None
    drifted.project.brand_context["tagline"] = "other"
    after = plan_of(data, drifted).actual_fingerprints
    assert [a for a in before if before[a] != after[a]] == ["c-1/brand"]


def test_expected_time_runs_stages_in_sequence_and_jobs_of_a_stage_together() -> None:
    data = spec(github={"repo": "o/r"}, content={"a": {"brief": {}}, "b": {"brief": {}}})
    plan = plan_of(data)
    assert plan.expected_seconds == pytest.approx(330 + 135)


def test_summary_time_spreads_customers_over_parallelism() -> None:
    one = plan_of(spec(github={"repo": "o/r"}))
    many = [one.model_copy(update={"customer_external_id": f"c-{i}"}) for i in range(4)]
    assert build_plan(many, now=NOW, parallelism=2).summary.expected_seconds == pytest.approx(660)
    assert build_plan(many, now=NOW, parallelism=8).summary.expected_seconds == pytest.approx(330)


def test_archive_plan_for_prune() -> None:
    row = {"id": "p1", "customerExternalId": "gone", "name": "Gone", "status": "active"}
    plan = archive_plan(Project.model_validate(row), workspace="acme")
    (step,) = plan.steps
    assert (step.address, step.action, step.target.model_dump()) == (
        "gone/project",
        Action.ARCHIVE,
        {"projectId": "p1"},
    )
    assert step.warnings


def test_times_in_the_past_and_within_the_hour_warn() -> None:
    def at(delta: timedelta) -> dict[str, Any]:
        when = (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
        return spec(
            social={"tiktok": {}},
            content={
                "k": {
                    "brief": {},
                    "schedule": [{"account": "tiktok", "mode": "direct_publish", "at": when}],
                }
            },
        )

    def warning(delta: timedelta) -> list[str]:
        data = at(delta)
        actual = converged(loaded(data).spec)
        actual.scheduled_posts = []
        (step,) = plan_of(data, actual).steps
        return step.warnings

    assert "past" in warning(-timedelta(minutes=5))[0]
    assert "within the hour" in warning(timedelta(minutes=30))[0]
    assert warning(timedelta(hours=3)) == []


def test_plan_document_has_the_product_shape() -> None:
    plan = build_plan([plan_of(spec())], now=NOW)
    doc = plan.to_document()
    assert doc["formatVersion"] == FORMAT_VERSION
    assert doc["summary"]["changes"] == 1
    assert set(doc["summary"]) >= {"customers", "changes", "jobs", "credits", "waitsOnPeople"}
    customer = doc["customers"][0]
    assert customer["customerExternalId"] == "c-1"
    assert customer["projectId"] is None
    assert {"address", "action", "changes"} <= set(customer["steps"][0])
    assert Plan.from_document(doc) == plan


def test_prune_without_a_workspace_name_is_refused() -> None:
    import asyncio

    from layers_reconcile.plan.planner import RunScope, make_plan

    class Workspace:
        settings = WorkspaceSpec()
        customers: tuple[Any, ...] = ()

    with pytest.raises(ConfigError):
        # refused before the client or any customer is read: neither needs to be real
        asyncio.run(make_plan(None, Workspace(), RunScope(prune=True)))  # type: ignore[arg-type]


def test_a_missing_instagram_account_reads_an_instagram_account() -> None:
    plan = plan_of(spec(social={"instagram": {"returnUrl": "https://x.example/done"}}))
    (social,) = [s for s in plan.steps if s.kind == StepKind.SOCIAL]
    assert social.person is not None
    assert "connects an Instagram account" in social.person.message


def test_a_changed_brief_shows_its_fields_when_the_list_shows_the_old_brief() -> None:
    before = {"topic": "Five moves", "angle": "a", "targetPlatforms": ["instagram"]}
    actual = converged(loaded(spec(content={"k": {"brief": before}})).spec)
    assert actual.content is not None
    after = {"topic": "Six moves", "targetPlatforms": ["instagram"]}
    # Only what the file writes: `angle` is gone from the file, a key apply may add (the
    # pinned influencerId) is not the user's edit.
    actual.content[0] = changed(actual.content[0], brief={**before, "influencerId": "inf_1"})
    (step,) = plan_of(spec(content={"k": {"brief": after}}), actual).steps
    assert [(c.field, c.before, c.after) for c in step.changes] == [
        ("brief.topic", "Five moves", "Six moves")
    ]
    # a list that leaves the brief out: the hash, as before
    actual.content[0] = changed(actual.content[0], "brief")
    (step,) = plan_of(spec(content={"k": {"brief": after}}), actual).steps
    assert [c.field for c in step.changes] == ["briefHash"]


def test_a_regenerate_plans_an_approval_only_for_containers_the_policy_gated() -> None:
    data = spec(
        approval={"requiresApproval": True, "firstNPostsBlocked": 3},
        content={"k": {"brief": {"hook": "h"}, "approve": True}},
    )
    actual = converged(loaded(data).spec)
    assert actual.content is not None
    edited_brief = spec(
        approval={"requiresApproval": True, "firstNPostsBlocked": 3},
        content={"k": {"brief": {"hook": "new"}, "approve": True}},
    )
    # Gated (it was approved): the regenerate resets it to pending, apply approves it again.
    assert steps(plan_of(edited_brief, actual)) == [
        ("c-1/content/k", Action.RUN_JOB),
        ("c-1/content/k/approval", Action.APPROVE),
    ]
    # Past the first N posts the container never needed approval and the regenerate keeps it so.
    actual.content[0] = changed(actual.content[0], approvalStatus="not_required")
    assert steps(plan_of(edited_brief, actual)) == [("c-1/content/k", Action.RUN_JOB)]


def _two_entries(*, second: dict[str, Any]) -> dict[str, Any]:
    return spec(
        project={"name": "C One", "timezone": "Europe/Berlin"},
        social={"tiktok": {}},
        content={
            "k": {
                "brief": {},
                "variants": 2,
                "schedule": [
                    {"account": "tiktok", "mode": "direct_publish", "at": "2027-03-01T10:00:00Z"},
                    {"mode": "direct_publish", "at": "2027-03-02T10:00:00Z", **second},
                ],
            }
        },
    )


def test_a_removed_entry_is_canceled_at_the_address_it_had() -> None:
    """The cancel of a removed variant-2 entry reads `…/schedule/tiktok/v2`, not `tiktok~POSTID`;
    a removed entry with an `id:` reads `…/schedule/ID` (apply recorded which post it made)."""
    both = _two_entries(second={"account": "tiktok", "variant": 2})
    actual = converged(loaded(both).spec)
    only_first = _two_entries(second={"account": "tiktok"})
    only_first["content"]["k"]["schedule"].pop()
    (step,) = plan_of(only_first, actual).steps
    assert (step.address, step.action) == ("c-1/content/k/schedule/tiktok/v2", Action.CANCEL)

    named = _two_entries(second={"account": "tiktok", "id": "encore"})
    actual = converged(loaded(named).spec)
    assert actual.project is not None
    assert actual.scheduled_posts is not None
    encore = actual.scheduled_posts[1].id
    assert actual.project.metadata is not None
    reserved = actual.project.metadata[RESERVED_KEY]
    reserved["content"]["k"]["entryIds"] = {encore: "encore"}
    (step,) = plan_of(only_first, actual).steps
    assert (step.address, step.action) == ("c-1/content/k/schedule/encore", Action.CANCEL)
    del reserved["content"]["k"]["entryIds"]
    (step,) = plan_of(only_first, actual).steps  # not knowable: the platform and the post id
    assert step.address == f"c-1/content/k/schedule/tiktok~{encore}"


def test_plan_times_show_the_project_local_time_beside_utc() -> None:
    from layers_reconcile.render.text import plain_text

    data = _two_entries(second={"account": "tiktok", "variant": 2})
    plan = build_plan([plan_of(data, None)], now=NOW)
    text = plain_text(plan)
    assert 'scheduledFor: "2027-03-01T10:00:00Z" (11:00 Europe/Berlin)' in text
    assert plan.customers[0].timezone == "Europe/Berlin"


def test_a_failed_ingest_recorded_by_apply_names_its_code_and_the_recovery() -> None:
    data = spec(github={"repo": "org/app"})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    assert actual.project.metadata is not None
    reserved = actual.project.metadata[RESERVED_KEY]
    # What apply writes when the job failed: the code alone; the API's ingestState is empty.
    reserved["ingest"].update(status="failed", error="SDK_PATCH_GENERATION_FAILED")
    actual.project = changed(actual.project, ingestState={"github": None})
    plan = plan_of(data, actual)
    assert steps(plan) == [("c-1/ingest", Action.RUN_JOB)]
    assert plan.steps[0].reason is not None
    assert plan.steps[0].reason.startswith("the last ingest failed (SDK_PATCH_GENERATION_FAILED)")
    assert any("github.platforms" in w for w in plan.steps[0].warnings)
