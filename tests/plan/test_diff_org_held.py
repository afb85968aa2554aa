"""A child organization suspended by hand (Rev B): behind a kill switch that answers the parent
key inside it too, the customer is a wait on a person (resume it), not "in sync"; where the parent
key still reads inside it, the plan says the child is suspended. The pure diff and exit code."""

from __future__ import annotations

from typing import Any

from layers_reconcile.cli.exits import ExitCode, of_plan
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import build_plan, diff_customer
from layers_reconcile.plan.model import Action, CustomerPlan
from layers_reconcile.plan.targets import OrganizationTarget
from layers_reconcile.records import Organization, Project
from tests.plan.builders import NOW, loaded

SETTINGS = WorkspaceSpec(workspace="ws")
FILE: dict[str, Any] = {
    "customerExternalId": "acme",
    "project": {"name": "Acme"},
    "organization": {"name": "Acme", "credits": {"transfers": [{"id": "a", "credits": 5}]}},
}
STAMP = {"externalId": "acme", "layersReconcileWorkspace": "ws", "layersReconcileProject": "prj_1"}


def suspended_child() -> Organization:
    return Organization.model_validate(
        {"id": "org_1", "name": "Acme", "status": "suspended", "metadata": STAMP}
    )


def held(transfers_done: dict[str, int] | None = None) -> ActualCustomer:
    """Suspended, and the kill switch answered the parent key inside it: nothing read there."""
    return ActualCustomer(
        customer_external_id="acme",
        organization=suspended_child(),
        held=True,
        transfers_done={"a": 5} if transfers_done is None else transfers_done,
    )


def read_inside() -> ActualCustomer:
    """Suspended, and the parent key still read inside it (the emulator's `manage`)."""
    project = Project.model_validate(
        {
            "id": "prj_1",
            "customerExternalId": "acme",
            "name": "Acme",
            "metadata": {"layersReconcile": {"v": 1, "workspace": "ws"}},
        }
    )
    return ActualCustomer(
        customer_external_id="acme",
        organization=suspended_child(),
        project=project,
        transfers_done={"a": 5},
    )


def plan_of(actual: ActualCustomer, **organization: Any) -> CustomerPlan:
    data = {**FILE, "organization": {**FILE["organization"], **organization}}
    return diff_customer(loaded(data), actual, SETTINGS, now=NOW, revision="b")


def drift_exit(customer: CustomerPlan) -> ExitCode:
    return of_plan(build_plan([customer], now=NOW), detailed=True)


def test_a_child_suspended_by_hand_is_one_wait_on_a_person_who_resumes_it() -> None:
    plan = plan_of(held())
    (step,) = plan.steps
    assert (step.address, step.action) == ("acme/organization/status", Action.WAIT_ON_PERSON)
    assert step.person is not None
    assert step.person.kind == "organization_resume"
    assert step.person.url is None
    assert "resume child organization org_1" in step.person.message
    assert "POST /v1/organizations/org_1/resume" in step.person.message
    assert "`suspended: false`" in step.person.message
    assert isinstance(step.target, OrganizationTarget)
    assert step.target.organizationId == "org_1"
    assert drift_exit(plan) is ExitCode.WAITING


def test_its_project_is_the_one_the_child_records() -> None:
    plan = plan_of(held())
    assert plan.project_id == "prj_1"
    assert plan.organization_id == "org_1"


def test_money_for_a_child_suspended_by_hand_waits_for_the_person_too() -> None:
    plan = plan_of(held(transfers_done={}))
    assert [(s.address, s.action) for s in plan.steps] == [
        ("acme/organization/status", Action.WAIT_ON_PERSON),
        ("acme/organization/transfers/a", Action.ALLOCATE),
    ]
    assert drift_exit(plan) is ExitCode.WAITING  # nothing apply can do before the resume


def test_suspended_false_is_apply_s_own_resume_not_a_wait() -> None:
    plan = plan_of(held(), suspended=False)
    (step,) = plan.steps
    assert (step.address, step.action) == ("acme/organization/status", Action.RESUME)
    assert drift_exit(plan) is ExitCode.CHANGES


def test_suspended_true_is_what_the_file_wants_in_sync() -> None:
    plan = plan_of(held(), suspended=True)
    assert plan.steps == []
    assert drift_exit(plan) is ExitCode.OK


def test_where_the_parent_key_still_reads_inside_the_plan_says_the_child_is_suspended() -> None:
    plan = plan_of(read_inside())
    assert plan.steps == []
    assert drift_exit(plan) is ExitCode.OK  # today's behaviour: nothing changes
    (warning,) = plan.warnings
    assert "child organization org_1 is suspended" in warning
    assert "does not manage `suspended:`" in warning


def test_a_suspension_the_file_wants_is_not_warned_of() -> None:
    assert plan_of(read_inside(), suspended=True).warnings == []
