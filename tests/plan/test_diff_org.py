"""The organization stages of the pure diff (Rev B): what a plan shows for a child customer."""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.models import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import diff_customer
from layers_reconcile.plan.model import Action, CustomerPlan, StepKind
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
    assert (transfer.target.transferId, transfer.target.credits) == ("a", 5)


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
