"""The diff reads the API's embedded objects through typed records: a part of an answer of the
wrong shape reads as unknown (as if the API had not sent it), never as a crash or a guess."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff_org import archive_child_plan
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.plan.links import Link
from layers_reconcile.plan.model import Action
from layers_reconcile.records import Organization
from tests.plan.builders import changed, converged, loaded
from tests.plan.test_diff import plan_of, spec, steps


def _recorded_failure(data: dict[str, Any]) -> ActualCustomer:
    """Converged, then apply recorded its last ingest as failed with code E_RECORDED."""
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata[RESERVED_KEY]["ingest"].update(status="failed", error="E_RECORDED")
    return actual


@pytest.mark.parametrize("github", ["completed", ["job_ingest0001"], 7])
def test_an_ingest_state_of_the_wrong_shape_reads_as_none_sent(github: Any) -> None:
    data = spec(github={"repo": "org/app"})
    actual = _recorded_failure(data)
    assert actual.project is not None
    actual.project = changed(actual.project, ingestState={"github": github})
    (step,) = plan_of(data, actual).steps
    assert (step.address, step.action) == ("c-1/ingest", Action.RUN_JOB)
    assert step.reason == "the last ingest failed (E_RECORDED); it runs again"


def test_the_apis_ingest_error_code_wins_over_the_recorded_one() -> None:
    data = spec(github={"repo": "org/app"})
    actual = _recorded_failure(data)
    assert actual.project is not None
    state = {"status": "failed", "jobId": "job_ingest0001", "error": {"code": "E_API"}}
    actual.project = changed(actual.project, ingestState={"github": state})
    (step,) = plan_of(data, actual).steps
    assert step.reason == "the last ingest failed (E_API); it runs again"


def test_an_ingest_error_sent_as_text_falls_back_to_the_recorded_code() -> None:
    data = spec(github={"repo": "org/app"})
    actual = _recorded_failure(data)
    assert actual.project is not None
    state = {"status": "failed", "jobId": "job_ingest0001", "error": "boom"}
    actual.project = changed(actual.project, ingestState={"github": state})
    (step,) = plan_of(data, actual).steps
    assert step.reason == "the last ingest failed (E_RECORDED); it runs again"


def test_a_requires_approval_that_is_not_a_boolean_is_not_read_as_true() -> None:
    # The row's embedded policy says "no" as text; its flat `requiresApproval` is false: new
    # content does not start pending, so no approval waits on a person.
    data = spec(content={"k": {"brief": {"hook": "h"}}})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    actual.project = changed(
        actual.project, approvalPolicy={"requiresApproval": "no"}, requiresApproval=False
    )
    actual.content = []
    assert steps(plan_of(data, actual)) == [("c-1/content/k", Action.RUN_JOB)]
    actual.project = changed(actual.project, approvalPolicy={"requiresApproval": True})
    assert ("c-1/content/k/approval", Action.WAIT_ON_PERSON) in steps(plan_of(data, actual))


@pytest.mark.parametrize(("available", "said"), [(40, "40 credits"), (True, None), ("40", None)])
def test_an_archived_childs_balance_is_named_only_when_it_is_a_whole_number(
    available: Any, said: str | None
) -> None:
    child = Organization.model_validate(
        {
            "id": "org_child1",
            "name": "C One",
            "status": "active",
            "metadata": {"layersReconcileCustomerExternalId": "c-1"},
            "summary": {"available": available, "creditConfig": {}},
        }
    )
    (step,) = archive_child_plan(child, workspace="acme-agency-prod").steps
    (warning,) = step.warnings
    assert f"and {said or 'its unreserved balance'} swept back" in warning


def test_a_recorded_link_reads_its_fields_and_one_without_a_text_url_is_none() -> None:
    record = {
        "url": "https://github.com/apps/layers/installations/new?state=s1",
        "state": "s1",
        "expiresAt": "2027-02-01T13:00:00Z",
        "returnUrl": "https://example.com/back",
        "subject": "org",
    }
    link = Link.of("github", record)
    assert link is not None
    assert link.record() == record
    assert Link.of("github", {**record, "url": 5}) is None
    assert Link.of("github", {**record, "url": ""}) is None
    odd = Link.of("github", {**record, "expiresAt": 5, "state": ["s1"]})
    assert odd is not None
    assert (odd.expires_at, odd.state) == (None, "")
