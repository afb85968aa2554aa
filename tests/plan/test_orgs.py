"""Which child organization is a customer's (pure rules of `plan.orgs`)."""

from __future__ import annotations

from typing import Any

from layers_reconcile.plan import orgs
from layers_reconcile.records import CreditEvent, Organization


def child(ident: str, status: str = "active", **metadata: Any) -> Organization:
    return Organization.model_validate({"id": ident, "status": status, "metadata": metadata})


def test_only_a_child_naming_the_customer_and_stamped_by_this_workspace_is_its() -> None:
    rows = [
        child("org_1", externalId="acme"),  # no stamp: never ours
        child("org_2", externalId="acme", layersReconcileWorkspace="other"),
        child("org_3", externalId="acme", layersReconcileWorkspace="ws", status="archived"),
        child("org_4", externalId="acme", layersReconcileWorkspace="ws"),
        child("org_5", externalId="acmeX", layersReconcileWorkspace="ws"),
    ]
    found = orgs.identify(rows, "acme", "ws")
    assert found.mine is not None
    assert found.mine.id == "org_4"
    assert found.foreign is None
    assert found.unstamped == ["org_1"]


def test_another_workspace_s_child_is_foreign_unless_taken_over() -> None:
    rows = [child("org_2", externalId="acme", layersReconcileWorkspace="other")]
    assert orgs.identify(rows, "acme", "ws").foreign == rows[0]
    taken = orgs.identify(rows, "acme", "ws", take_over="other")
    assert (taken.mine, taken.foreign) == (rows[0], None)


def test_a_non_string_stamp_identifies_nothing() -> None:
    rows = [child("org_9", externalId="acme", layersReconcileWorkspace=["ws"])]
    found = orgs.identify(rows, "acme", "ws")
    assert found.mine is None


def test_orphans_are_live_children_of_this_workspace_no_file_names() -> None:
    rows = [
        child("org_1", externalId="gone", layersReconcileWorkspace="ws"),
        child("org_2", externalId="kept", layersReconcileWorkspace="ws"),
        child("org_3", externalId="gone2", layersReconcileWorkspace="other"),
        child("org_4", externalId="gone3", layersReconcileWorkspace="ws", status="archived"),
    ]
    assert [c.id for c in orgs.orphans(rows, "ws", frozenset({"kept"}))] == ["org_1"]
    assert orgs.orphans(rows, None, frozenset()) == []


def test_the_transfers_record_round_trips_and_stays_within_500_characters() -> None:
    done = {f"t-{i:03d}": 1000 + i for i in range(60)}
    text = orgs.transfers_record(done)
    assert len(text) <= 500
    back = orgs.recorded_transfers(child("org_1", layersReconcileTransfers=text))
    assert back
    assert all(done[k] == v for k, v in back.items())
    assert len(back) < len(done)  # the rest is read from the ledger


def test_the_ledger_says_which_transfers_were_carried_out() -> None:
    rows = [
        {"eventType": "allocation", "credits": 500, "metadata": {"layersReconcileTransfer": "a"}},
        {"eventType": "allocation", "credits": 2000, "metadata": {"reason": "auto_refill"}},
        {"eventType": "usage", "credits": -50, "metadata": {"layersReconcileTransfer": "b"}},
    ]
    events = [CreditEvent.model_validate(r) for r in rows]
    assert orgs.carried_out(events) == {"a": 500}
