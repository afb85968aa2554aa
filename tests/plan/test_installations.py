"""Which GitHub installation counts as registered (plan.installations): `active` only.

Plan counted anything but `uninstalled`, apply only `active` and import any status; the module
docstring says why `active` is right."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.apply.importer import _github
from layers_reconcile.plan.installations import covering, is_registered, login_of
from layers_reconcile.plan.model import Action
from layers_reconcile.records import Installation
from tests.plan.builders import changed, converged, loaded
from tests.plan.test_diff import plan_of, spec


@pytest.mark.parametrize(
    ("status", "registered"),
    [
        (None, True),  # the guide's register answer carries no status
        ("active", True),
        ("uninstalled", False),
        ("suspended", False),  # not in the contract: not known to let an ingest through
        ("pending", False),
    ],
)
def test_only_an_active_installation_is_registered(status: str | None, registered: bool) -> None:
    raw: dict[str, Any] = {"installationId": 7, "orgLogin": "Quinns-Coffee"}
    if status is not None:
        raw["status"] = status
    row = Installation.model_validate(raw)
    assert is_registered(row) is registered
    assert (covering([row], "quinns-coffee") is row) is registered


def test_the_login_is_read_from_either_spelling_and_compared_without_case() -> None:
    rev_b = Installation.model_validate(
        {"installationId": 8, "githubAccount": {"login": "Acme"}, "status": "active"}
    )
    nine = Installation.model_validate({"installationId": 9})
    assert login_of(rev_b) == "Acme"
    assert login_of(nine) is None
    assert covering([nine, rev_b], "acme") is rev_b
    assert covering([rev_b], "acme-fitness") is None


def _suspended(data: dict[str, Any]) -> Any:
    actual = converged(loaded(data).spec)
    assert actual.github_installations is not None
    actual.github_installations[0] = changed(actual.github_installations[0], status="suspended")
    return actual


def test_plan_waits_on_the_install_when_the_orgs_installation_is_not_active() -> None:
    data = spec(github={"repo": "org/app", "returnUrl": "https://partner.example/gh"})
    assert plan_of(data, converged(loaded(data).spec)).steps == []
    (step,) = plan_of(data, _suspended(data)).steps
    assert (step.address, step.action) == ("c-1/github", Action.WAIT_ON_PERSON)
    assert "no registered GitHub installation covers 'org'" in (step.reason or "")


def test_plan_registers_a_given_installation_that_is_not_active() -> None:
    data = spec(github={"repo": "org/app", "installationId": 5})
    (step,) = plan_of(data, _suspended(data)).steps
    assert (step.address, step.action) == ("c-1/github", Action.REGISTER)


def test_import_leaves_out_an_installation_that_is_not_active() -> None:
    reserved: Any = {"ingest": {"repo": "quinns-coffee/app", "branch": "main"}}
    row = {"installationId": 7, "orgLogin": "quinns-coffee", "status": "active"}
    notes: list[str] = []
    assert _github(reserved, [Installation.model_validate(row)], notes)["installationId"] == 7
    assert notes == []
    suspended = Installation.model_validate({**row, "status": "suspended"})
    written = _github(reserved, [suspended], notes)
    assert "installationId" not in written
    assert notes == ["no registered installation covers quinns-coffee: add github.returnUrl"]
