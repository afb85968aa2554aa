"""The keys of a customer's child organization (`ids.child_round`): they change once per archived
child of the customer, and only then, so a returning customer gets a new child instead of the API
replaying the archived one (idempotent answers live 24 h), while a create in flight replays."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from layers_reconcile.ids import NS, child_round, child_scope, idempotency_key_for, organization_key
from layers_reconcile.plan import orgs
from layers_reconcile.records import Organization

IDS = st.lists(st.uuids().map(lambda u: f"org_{u}"), max_size=6)


def test_with_no_archived_child_the_keys_are_the_ones_every_earlier_version_sent() -> None:
    # spelled out: a create sent before the upgrade must replay after it, never duplicate
    before = str(uuid.uuid5(NS, "organization/acme-prod/kid"))
    assert organization_key("acme-prod", "kid") == before
    assert organization_key("acme-prod", "kid", []) == before
    assert child_scope("kid", []) == "kid"
    assert idempotency_key_for(child_scope("kid", []), "project", {"a": 1}) == (
        idempotency_key_for("kid", "project", {"a": 1})
    )


def test_each_archived_child_gives_the_customer_a_new_key_and_the_same_one_on_every_read() -> None:
    first = organization_key("ws", "kid")
    second = organization_key("ws", "kid", ["org_a"])
    third = organization_key("ws", "kid", ["org_a", "org_b"])
    assert len({first, second, third}) == 3
    # two runs at once, or a rerun after a kill, read the same children: the same key (a replay)
    assert organization_key("ws", "kid", ["org_b", "org_a"]) == third
    assert organization_key("ws", "kid", ["org_a", "org_a"]) == second
    # per workspace and customer
    assert organization_key("ws", "other", ["org_a"]) != second
    assert organization_key("ws2", "kid", ["org_a"]) != second


@given(IDS, IDS)
def test_a_set_not_a_count_two_different_archived_sets_never_share_a_key(
    one: list[str], two: list[str]
) -> None:
    # a count would give a child's key back once an archived child drops out of the listing
    same = set(one) == set(two)
    assert (organization_key("ws", "kid", one) == organization_key("ws", "kid", two)) == same
    assert (child_round(one) == child_round(two)) == same
    assert (child_round(one) == "") == (not one)


def test_the_archived_children_are_this_workspace_s_stamped_ones_of_this_customer() -> None:
    def child(ident: str, status: str, **metadata: str) -> Organization:
        return Organization.model_validate({"id": ident, "status": status, "metadata": metadata})

    rows = [
        child("org_2", "archived", externalId="kid", layersReconcileWorkspace="ws"),
        child("org_1", "archived", externalId="kid", layersReconcileWorkspace="ws"),
        child("org_3", "active", externalId="kid", layersReconcileWorkspace="ws"),
        child("org_4", "archived", externalId="kid", layersReconcileWorkspace="other"),
        child("org_5", "archived", externalId="kid"),
        child("org_6", "archived", externalId="kid2", layersReconcileWorkspace="ws"),
    ]
    assert [c.id for c in orgs.archived_children(rows, "kid", "ws")] == ["org_1", "org_2"]
    assert orgs.archived_children(rows, "kid", None) == []
