"""`ignore:` in the pure diff: a field people own is shown as ignored, never planned."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.apply.import_update import edits_for
from layers_reconcile.cli.exits import ExitCode, of_plan
from layers_reconcile.config.ignore import matches, path_problem
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import build_plan
from layers_reconcile.plan.model import Action, CustomerPlan, StepKind
from layers_reconcile.render.markdown import render_markdown
from layers_reconcile.render.text import plain_text
from tests.plan.builders import NOW, changed, converged, loaded
from tests.plan.test_diff import plan_of, spec

BRIEF = {"hook": "Skip the line.", "cta": "Download"}


def drifted(data: dict[str, Any]) -> ActualCustomer:
    """The converged state of `data`, then a person's edits in the Layers UI."""
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    actual.project = changed(actual.project, name="Renamed In The UI")
    assert actual.project.metadata is not None
    actual.project.metadata["tier"] = "platinum"
    assert actual.project.brand_context is not None
    actual.project.brand_context["tagline"] = "Changed by the customer."
    return actual


def ignored(plan: CustomerPlan) -> list[tuple[str, Any, Any]]:
    return [(c.field, c.before, c.after) for c in plan.ignored]


FILE = spec(
    project={"name": "C One", "metadata": {"tier": "gold", "region": "eu"}},
    brand={"tagline": "Skip the line."},
)


def test_without_ignore_the_drift_is_reverted() -> None:
    plan = plan_of(FILE, drifted(FILE))
    assert [s.address for s in plan.steps] == ["c-1/project", "c-1/brand"]
    assert plan.ignored == []


def test_ignored_fields_are_listed_by_their_path_and_plan_no_step() -> None:
    data = {**FILE, "ignore": ["project.name", "project.metadata.tier", "brand"]}
    plan = plan_of(data, drifted(data))
    assert plan.steps == []
    assert ignored(plan) == [
        ("project.name", "Renamed In The UI", "C One"),
        ("project.metadata.tier", "platinum", "gold"),
        ("brand.tagline", "Changed by the customer.", "Skip the line."),
    ]
    whole = build_plan([plan], now=NOW)
    assert of_plan(whole, detailed=True) is ExitCode.OK  # --detailed-exitcode: 0
    assert whole.summary.changes == 0


def test_a_step_keeps_the_changes_nobody_ignored() -> None:
    data = {**FILE, "ignore": ["project.metadata.tier"]}
    actual = drifted(data)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata["region"] = "us"
    plan = plan_of(data, actual)
    project = plan.steps[0]
    assert (project.address, project.action) == ("c-1/project", Action.UPDATE)
    assert [c.field for c in project.changes] == ["name", "metadata.region"]
    assert ignored(plan) == [("project.metadata.tier", "platinum", "gold")]


def test_creation_uses_every_value_of_the_file() -> None:
    data = {**FILE, "approval": {"requiresApproval": True}, "ignore": ["project", "approval"]}
    plan = plan_of(data)
    create = plan.steps[0]
    assert create.action is Action.CREATE
    assert {c.field for c in create.changes} >= {"name", "metadata"}
    by_kind = {s.kind: s for s in plan.steps}
    assert [c.field for c in by_kind[StepKind.APPROVAL].changes] == ["requiresApproval"]
    assert plan.ignored == []


def test_a_brand_the_ingest_is_still_to_write_is_planned_in_full() -> None:
    data = {**FILE, "github": {"repo": "o/r", "installationId": 7}, "ignore": ["brand.tagline"]}
    actual = drifted(data)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata["layersReconcile"].pop("ingest")  # never ingested by the tool
    plan = plan_of(data, actual)
    brand = next(s for s in plan.steps if s.kind is StepKind.BRAND)
    assert [(c.field, c.before_unknown) for c in brand.changes] == [("tagline", True)]
    assert "brand.tagline" not in [c.field for c in plan.ignored]


def test_the_tools_own_stamp_is_written_even_when_metadata_is_ignored() -> None:
    data = {**FILE, "ignore": ["project.metadata"]}
    actual = drifted(data)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata["layersReconcile"] = {}
    plan = plan_of(data, actual)
    adopt = plan.steps[0]
    assert adopt.action is Action.ADOPT
    assert [c.field for c in adopt.changes] == ["metadata.layersReconcile.workspace", "name"]


def content_case(hook: str, cta: str, ignore: list[str]) -> CustomerPlan:
    applied = spec(
        approval={"requiresApproval": True},
        content={"launch": {"brief": BRIEF, "approve": True}},
    )
    actual = converged(loaded(applied).spec)
    assert actual.content is not None
    actual.content = [changed(c, brief=dict(BRIEF)) for c in actual.content]
    now = spec(
        approval={"requiresApproval": True},
        content={"launch": {"brief": {"hook": hook, "cta": cta}, "approve": True}},
        ignore=ignore,
    )
    return plan_of(now, actual)


def test_an_ignored_brief_field_changed_in_the_file_regenerates_nothing() -> None:
    plan = content_case("A new hook", "Download", ["content.*.brief.hook"])
    assert plan.steps == []  # no regenerate, so no approval of it either
    assert ignored(plan) == [("content.launch.brief.hook", "Skip the line.", "A new hook")]


def test_a_brief_change_beside_an_ignored_one_regenerates_for_that_change() -> None:
    plan = content_case("A new hook", "Order now", ["content.launch.brief.hook"])
    regenerate = plan.steps[0]
    assert regenerate.job is not None
    assert regenerate.job.kind == "content_regenerate"
    assert [(c.field, c.after) for c in regenerate.changes] == [("brief.cta", "Order now")]
    assert ignored(plan) == [("content.launch.brief.hook", "Skip the line.", "A new hook")]


def test_ignored_differences_show_once_in_text_markdown_and_json() -> None:
    data = {**FILE, "ignore": ["project.metadata.tier"]}
    plan = build_plan([plan_of(data, drifted(data))], now=NOW)
    text = plain_text(plan)
    assert text.count("project.metadata.tier") == 1
    assert 'project.metadata.tier: Layers has "platinum", the file says "gold"' in text
    assert "1 ignored difference" in text
    markdown = "".join(render_markdown(plan))
    assert markdown.count("project.metadata.tier") == 1
    (customer,) = plan.to_document()["customers"]
    assert customer["ignored"] == [
        {
            "field": "project.metadata.tier",
            "before": "platinum",
            "after": "gold",
            "beforeUnknown": False,
            "afterUnknown": False,
        }
    ]
    clean = build_plan([plan_of(FILE, converged(loaded(FILE).spec))], now=NOW)
    assert "ignored" not in clean.to_document()["customers"][0]


@pytest.mark.parametrize(
    ("pattern", "path", "covered"),
    [
        ("project.metadata.tier", "project.metadata.tier", True),
        ("project.metadata", "project.metadata.tier", True),
        ("content.*.brief.hook", "content.launch.brief.hook", True),
        ("content.*.brief.hook", "content.launch.brief.cta", False),
        ("brand.tagline", "brand.taglines", False),
        ("project.metadata.tier.x", "project.metadata.tier", False),
    ],
)
def test_matching(pattern: str, path: str, covered: bool) -> None:
    assert matches(pattern, path) is covered


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("project.name", None),
        ("content.*.brief", None),
        ("brand.*", None),
        ("content.*.brief.*", None),
        ("approval.firstNPostsBlocked", None),
        (
            "project.nme",
            "'project.nme' names no field: project has name, timezone, "
            "primaryLanguage, ownerEmail, metadata — did you mean 'project.name'?",
        ),
        ("github.branch", "cannot be ignored"),
        ("project.metadata.layersReconcile", "the tool's own record"),
        ("brand.tagline.x", "brand.tagline has no fields below it"),
        ("content.launch.schedule", "names no field: content.launch has brief"),
    ],
)
def test_path_problems(path: str, problem: str | None) -> None:
    found = path_problem(path)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_import_update_writes_the_ignored_fields_back_too() -> None:
    data = {**FILE, "ignore": ["project.metadata.tier", "brand"]}
    plan = plan_of(data, drifted(data))
    edits = [(str(e), e.value) for e in edits_for(plan, {})]
    assert edits == [
        ("project.name", "Renamed In The UI"),
        ("project.metadata.tier", "platinum"),
        ("brand.tagline", "Changed by the customer."),
    ]
