"""One target model per step kind (plan.targets): what a step of that kind acts on, checked when
a step is built or a saved plan is read, and written with only the fields it has."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from layers_reconcile.apply.steps import HANDLERS
from layers_reconcile.plan.model import Action, Plan, Step, StepKind
from layers_reconcile.plan.targets import (
    TARGETS,
    GithubTarget,
    ProjectTarget,
    ScheduleTarget,
    TransferTarget,
)


def test_every_kind_has_its_target_and_every_handler_reads_its_kinds() -> None:
    assert set(TARGETS) == set(StepKind)
    assert all(model.KIND is kind for kind, model in TARGETS.items())
    for (kind, _), handler in HANDLERS.items():
        assert handler.kind is kind


def test_a_step_is_read_with_the_target_model_of_its_kind() -> None:
    step = Step.model_validate(
        {
            "address": "c/content/k/schedule/tiktok",
            "kind": "schedule",
            "action": "reschedule",
            "target": {
                "postId": "p1",
                "platform": "tiktok",
                "scheduledFor": "2027-01-01T00:00:00Z",
            },
        }
    )
    assert isinstance(step.target, ScheduleTarget)
    assert step.target.scheduledFor == "2027-01-01T00:00:00Z"


def test_a_step_built_with_the_target_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="a github target on a project step"):
        Step(
            address="c/project",
            kind=StepKind.PROJECT,
            action=Action.UPDATE,
            target=GithubTarget(org="acme"),
        )


def test_a_target_lacking_what_every_step_of_its_kind_has_is_refused() -> None:
    with pytest.raises(ValidationError, match="transferId"):
        Step(
            address="c/organization/transfers/t1",
            kind=StepKind.TRANSFER,
            action=Action.ALLOCATE,
            target={"credits": 5},
        )


def test_only_the_fields_a_target_has_are_written_in_their_order() -> None:
    target = ScheduleTarget(
        projectId="prj", postId="p1", platform="tiktok", scheduledFor="2027-01-01T00:00:00Z"
    )
    assert list(target.model_dump()) == ["projectId", "postId", "platform", "scheduledFor"]
    assert ProjectTarget().model_dump() == {}
    assert GithubTarget(org="acme", returnUrl=None).model_dump() == {"org": "acme"}


def test_a_saved_target_of_another_kind_names_the_step_kind_in_the_refusal() -> None:
    doc = Plan().to_document()
    doc["customers"] = [
        {
            "customerExternalId": "c",
            "projectId": None,
            "steps": [
                {
                    "address": "c/organization/transfers/t1",
                    "kind": "transfer",
                    "action": "allocate",
                    "target": {"transferId": "t1", "credits": 5, "postId": "p1"},
                }
            ],
        }
    ]
    with pytest.raises(ValueError, match="not a plan this version wrote") as refused:
        Plan.from_document(doc)
    assert (
        "customers.0.steps.0.target.postId: Extra inputs are not permitted in the target of a "
        "transfer step"
    ) in str(refused.value)
    assert TransferTarget(transferId="t1", credits=5).model_dump() == {
        "transferId": "t1",
        "credits": 5,
    }


@pytest.mark.parametrize(
    ("kind", "address", "said"),
    [
        ("approval", "c/approval", "in the target of an approval step"),
        ("organization", "c/organization", "in the target of an organization step"),
        ("ingest", "c/ingest", "in the target of an ingest step"),
        ("influencer", "c/influencer", "in the target of an influencer step"),
        ("brand", "c/brand", "in the target of a brand step"),
    ],
)
def test_the_refusal_of_a_saved_target_reads_as_english_for_every_kind(
    kind: str, address: str, said: str
) -> None:
    # "in the target of a approval step" was what a reviewer read for a hand-edited plan.
    refused = _refusal_of_step({"address": address, "kind": kind, "target": {"bogus": 1}})
    assert f"customers.0.steps.0.target.bogus: Extra inputs are not permitted {said}" in refused


@pytest.mark.parametrize("target", ["p1", 5, ["p1"]])
def test_a_saved_target_that_is_not_an_object_is_refused_without_naming_a_class(
    target: object,
) -> None:
    # pydantic says "a valid dictionary or instance of ApprovalTarget": a name of the code,
    # not of the plan file a reviewer edited.
    said = _refusal_of_step({"address": "c/approval", "kind": "approval", "target": target})
    assert "Target" not in said, said
    assert "instance of" not in said, said
    assert "customers.0.steps.0.target: Input should be an object" in said, said
    assert "in the target of an approval step" in said, said


def _refusal_of_step(step: dict[str, object]) -> str:
    """What loading a saved plan of one customer with this one (update) step refuses it with."""
    doc = Plan().to_document()
    doc["customers"] = [
        {"customerExternalId": "c", "projectId": None, "steps": [{"action": "update", **step}]}
    ]
    with pytest.raises(ValueError, match="not a plan this version wrote") as refused:
        Plan.from_document(doc)
    return str(refused.value)
