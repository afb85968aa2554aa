"""The organization stages of the pure diff (Rev B): what a plan shows for a child customer."""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import diff_customer
from layers_reconcile.plan.model import Action, CustomerPlan, StepKind
from layers_reconcile.plan.targets import TransferTarget
from layers_reconcile.records import Organization, Project
from tests.plan.builders import NOW, loaded

SETTINGS = WorkspaceSpec(workspace="ws")
FILE: dict[str, Any] = {
    "customerExternalId": "acme",
    "project": {"name": "Acme"},
    "organization": {
        "metadata": {"plan": "pro"},
        "credits": {"monthlyCap": 10, "transfers": [{"id": "a", "credits": 5}]},
    },
}
STAMP = {"externalId": "acme", "layersReconcileWorkspace": "ws", "plan": "pro"}


def child(**metadata: str) -> Organization:
    return Organization.model_validate(
        {"id": "org_1", "name": "Acme", "status": "active", "metadata": {**STAMP, **metadata}}
    )


def project() -> Project:
    return Project.model_validate(
        {
            "id": "prj_1",
            "customerExternalId": "acme",
            "name": "Acme",
            "metadata": {"layersReconcile": {"v": 1, "workspace": "ws"}},
        }
    )


def plan_of(actual: ActualCustomer, data: dict[str, Any] = FILE) -> CustomerPlan:
    return diff_customer(loaded(data), actual, SETTINGS, now=NOW, revision="b")


def converged_child(**metadata: str) -> ActualCustomer:
    return ActualCustomer(
        customer_external_id="acme",
        organization=child(**metadata),
        project=project(),
        credit_config={"monthlyCreditCap": 10, "refillThreshold": None, "refillAmount": None},
        transfers_done={"a": 5},
    )


def test_a_converged_child_plans_nothing() -> None:
    assert plan_of(converged_child(layersReconcileProject="prj_1")).steps == []


def test_a_child_without_the_note_of_its_project_gets_it_written() -> None:
    (step,) = plan_of(converged_child()).steps
    assert (step.address, step.action) == ("acme/organization", Action.UPDATE)
    assert [(c.field, c.before, c.after) for c in step.changes] == [
        ("metadata.layersReconcileProject", None, "prj_1")
    ]


def test_a_new_child_plans_create_config_transfer_then_project_in_that_order() -> None:
    plan = plan_of(ActualCustomer(customer_external_id="acme"))
    assert [(s.address, s.action) for s in plan.steps] == [
        ("acme/organization", Action.CREATE),
        ("acme/organization/credits", Action.UPDATE),
        ("acme/organization/transfers/a", Action.ALLOCATE),
        ("acme/project", Action.CREATE),
    ]
    transfer = plan.steps[2]
    assert transfer.kind is StepKind.TRANSFER
    assert isinstance(transfer.target, TransferTarget)
    assert (transfer.target.transferId, transfer.target.credits) == ("a", 5)


def test_a_customer_whose_child_was_archived_gets_a_new_child_and_the_plan_says_so() -> None:
    archived = Organization.model_validate(
        {
            "id": "org_0",
            "name": "Acme",
            "status": "archived",
            "metadata": {**STAMP, "layersReconcileProject": "prj_0"},
        }
    )
    plan = plan_of(ActualCustomer(customer_external_id="acme", archived_organizations=[archived]))
    assert [(s.address, s.action) for s in plan.steps] == [
        ("acme/organization", Action.CREATE),
        ("acme/organization/credits", Action.UPDATE),
        ("acme/organization/transfers/a", Action.ALLOCATE),
        ("acme/project", Action.CREATE),
    ]
    create = plan.steps[0]
    assert "no live child organization" in (create.reason or "")
    [said] = create.warnings
    for words in ("org_0 ('Acme', with its project prj_0)", "stays archived", "created anew"):
        assert words in said
    assert plan.archived_organization_ids == ["org_0"]  # what apply derives the keys from
    fresh = plan_of(ActualCustomer(customer_external_id="acme", archived_organizations=[]))
    assert fresh.steps[0].warnings == []
    assert fresh.archived_organization_ids is None


def test_a_flat_project_is_migrated_with_a_warning_and_never_created_again() -> None:
    flat = ActualCustomer(customer_external_id="acme", project=project())
    plan = plan_of(flat)
    first = plan.steps[0]
    assert (first.address, first.action) == ("acme/organization", Action.MIGRATE)
    assert "moves project prj_1" in first.warnings[0]
    assert not [s for s in plan.steps if s.kind is StepKind.PROJECT]


def test_another_workspace_s_child_is_a_conflict_with_no_step() -> None:
    foreign = child(layersReconcileWorkspace="other")
    plan = plan_of(ActualCustomer(customer_external_id="acme", foreign_organization=foreign))
    assert plan.steps == []
    assert plan.conflict is not None
    assert plan.conflict.workspace == "other"


def conflict_of(actual: ActualCustomer, data: dict[str, Any] = FILE) -> tuple[str, str, str]:
    plan = plan_of(actual, data)
    assert plan.steps == []
    assert plan.conflict is not None
    return plan.conflict.project_id, plan.conflict.message, plan.conflict.recovery or ""


def test_a_child_left_behind_by_a_file_without_organization_is_a_conflict() -> None:
    flat = {k: v for k, v in FILE.items() if k != "organization"}
    left = child(layersReconcileProject="prj_1")
    held, message, recovery = conflict_of(
        ActualCustomer(customer_external_id="acme", left_child=left), flat
    )
    assert held == "prj_1"
    assert message.startswith(
        "customer 'acme' lives in child organization org_1 (its project prj_1 is inside it), but "
        "the file has no `organization:` block"
    )
    assert recovery.startswith("put the `organization:` block back in the file")


def test_an_unstamped_child_naming_the_customer_is_a_conflict_that_says_how_to_stamp_it() -> None:
    held, message, recovery = conflict_of(
        ActualCustomer(customer_external_id="acme", unstamped_organizations=["org_9"])
    )
    assert held == "org_9"
    assert (
        "child organization org_9 names customer 'acme' but carries no workspace stamp" in message
    )
    assert recovery == (
        "if it is this customer's child, stamp it: PATCH /v1/organizations/org_9 with metadata "
        '{"layersReconcileWorkspace": "ws"}; if it is not, change its metadata.externalId'
    )


def test_a_stamped_child_beside_the_flat_project_is_a_conflict() -> None:
    actual = ActualCustomer(
        customer_external_id="acme", organization=child(), project=project(), project_in_parent=True
    )
    held, message, recovery = conflict_of(actual)
    assert held == "org_1"
    assert "but not its project prj_1, which is still flat in the parent" in message
    assert recovery.startswith("archive child organization org_1 by hand")


def test_two_children_stamped_for_the_customer_are_a_conflict() -> None:
    actual = ActualCustomer(
        customer_external_id="acme", organization=child(), duplicate_organizations=["org_2"]
    )
    held, message, recovery = conflict_of(actual)
    assert held == "org_1"
    assert "child organizations org_1, org_2 all carry the stamp of workspace 'ws'" in message
    assert recovery.startswith("keep one: remove metadata.layersReconcileWorkspace")
