"""Which API revision a whoami answer shows, and how a pinned setting wins."""

from __future__ import annotations

import pytest

from layers_reconcile.apirevision import (
    Pin,
    RevisionMismatch,
    RevisionSetting,
    decide,
    detect,
    settle,
)
from layers_reconcile.records import Whoami

REV_A = {
    "organizationId": "0b0c2f3e-1d1c-4c4e-9a7e-1f2e3d4c5b6a",
    "workspaceId": "0b0c2f3e-1d1c-4c4e-9a7e-1f2e3d4c5b6a",
    "organizationName": "Partner",
    "scopes": ["projects:read"],
    "rateLimitTier": "standard",
    "killSwitch": False,
    "apiAccessRevoked": False,
    "apiKeyId": "k1",
    "creditBalance": 10,
}
REV_B = {
    "organizationId": "org_1",
    "workspaceId": "org_1",
    "organizationName": "Partner",
    "parentOrganizationId": None,
    "scopes": ["org:admin"],
    "rateLimitTier": "standard",
    "apiKeyId": "key_1",
    "creditBalance": 10,
}


def test_the_guides_whoami_is_rev_a() -> None:
    assert detect(Whoami.model_validate(REV_A)) == "a"


@pytest.mark.parametrize("parent", [None, "org_parent"])
def test_a_whoami_naming_its_parent_is_rev_b_even_when_the_parent_is_null(
    parent: str | None,
) -> None:
    assert detect(Whoami.model_validate({**REV_B, "parentOrganizationId": parent})) == "b"


def test_ids_are_opaque_a_prefixed_id_alone_does_not_make_rev_b() -> None:
    assert detect(Whoami.model_validate({**REV_A, "organizationId": "org_1"})) == "a"


@pytest.mark.parametrize(
    ("setting", "answer", "expected"),
    [("a", REV_B, "a"), ("b", REV_A, "b"), ("auto", REV_B, "b"), (None, REV_A, "a")],
)
def test_a_pinned_revision_wins_and_auto_reads_the_answer(
    setting: RevisionSetting | None, answer: dict[str, object], expected: str
) -> None:
    assert decide(setting, Whoami.model_validate(answer)) == expected


@pytest.mark.parametrize(("setting", "answer"), [(None, REV_A), ("auto", REV_B), ("b", REV_B)])
def test_settle_takes_what_the_api_speaks_when_nothing_or_the_same_is_pinned(
    setting: RevisionSetting | None, answer: dict[str, object]
) -> None:
    assert settle(Pin(setting), Whoami.model_validate(answer)) == detect(
        Whoami.model_validate(answer)
    )


def test_settle_refuses_a_pin_the_api_does_not_speak_naming_where_it_was_said() -> None:
    with pytest.raises(RevisionMismatch) as refused:
        settle(Pin("b", "layers.yaml:3:14: apiRevision b"), Whoami.model_validate(REV_A))
    said = str(refused.value)
    assert said.startswith("layers.yaml:3:14: apiRevision b pins Rev B")
    assert "Rev A's shape" in said
    assert "nothing was written" in said
