"""The file's words and Rev B's, both ways (plan.revb): one rule for plan, apply and import."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.records import Project, ReviewPolicy
from layers_reconcile.revb import (
    approval_of,
    approval_on_row,
    as_stored,
    brand_of_b,
    brand_problem_b,
    brand_sendable_b,
    file_mode,
    project_problem_b,
    review_policy_body,
    wire_mode,
)


@pytest.mark.parametrize(
    ("approval", "body"),
    [
        ({"requiresApproval": False}, {"policy": "auto_approve"}),
        ({"requiresApproval": False, "firstNPostsBlocked": 3}, {"policy": "auto_approve"}),
        (
            {"requiresApproval": True, "firstNPostsBlocked": 3},
            {"policy": "review_first_n", "firstN": 3},
        ),
        ({"requiresApproval": True}, {"policy": "review_all"}),
        ({"requiresApproval": True, "firstNPostsBlocked": None}, {"policy": "review_all"}),
        ({"requiresApproval": True, "firstNPostsBlocked": 0}, {"policy": "review_all"}),
    ],
)
def test_the_files_approval_is_one_review_policy(
    approval: dict[str, Any], body: dict[str, Any]
) -> None:
    assert review_policy_body(approval) == body


@pytest.mark.parametrize(
    ("answer", "approval"),
    [
        ({}, {"requiresApproval": False, "firstNPostsBlocked": None}),  # never set
        ({"policy": "auto_approve"}, {"requiresApproval": False, "firstNPostsBlocked": None}),
        ({"policy": "review_all"}, {"requiresApproval": True, "firstNPostsBlocked": None}),
        (
            {"policy": "review_first_n", "firstN": 5},
            {"requiresApproval": True, "firstNPostsBlocked": 5},
        ),
    ],
)
def test_the_review_policy_reads_back_in_the_files_words(
    answer: dict[str, Any], approval: dict[str, Any]
) -> None:
    assert approval_of(ReviewPolicy.model_validate({"projectId": "prj_1", **answer})) == approval
    assert approval_of(answer) == approval
    assert review_policy_body(approval) == (answer or {"policy": "auto_approve"})


def test_what_the_file_sets_is_compared_as_rev_b_would_hold_it() -> None:
    actual = {"requiresApproval": True, "firstNPostsBlocked": None}
    assert as_stored({"requiresApproval": True, "firstNPostsBlocked": 0}, actual) == {
        "requiresApproval": True,
        "firstNPostsBlocked": None,
    }
    # A field the file leaves out stays unmanaged, whatever Layers has.
    first_n = {"requiresApproval": True, "firstNPostsBlocked": 4}
    assert as_stored({"requiresApproval": True}, first_n) == {"requiresApproval": True}


@pytest.mark.parametrize(
    ("mode", "platform", "sent"),
    [
        ("direct_publish", "tiktok", "publish"),
        ("reels", "instagram", "publish"),
        ("feed", "instagram", "publish"),
        ("draft_to_device", "tiktok", "draft"),
        ("managed", "tiktok", "managed"),
    ],
)
def test_publish_modes_map_to_rev_b_and_back(mode: str, platform: str, sent: str) -> None:
    assert wire_mode(mode, "a") == mode
    assert wire_mode(mode, "b") == sent
    back = file_mode(sent, platform)
    assert back is not None
    assert wire_mode(back, "b") == sent


def test_the_brand_rev_b_takes_and_why_it_refuses_the_rest() -> None:
    brand = {
        "appName": "Quinns Coffee",
        "tagline": "Skip the line.",
        "brandVoice": "warm",
        "audience": "Coffee drinkers",
        "appDescription": "Too short.",
    }
    assert brand_sendable_b(brand) == {
        "appName": "Quinns Coffee",
        "tagline": "Skip the line.",
        "brandVoice": "warm",
    }
    assert brand_problem_b("audience", "x") == (
        "has no Rev B field (Rev B's brand is appName, appDescription, tagline, brandVoice)"
    )
    assert brand_problem_b("appDescription", "Too short.") == (
        "is 10 characters; Rev B takes 100–1000"
    )
    assert brand_problem_b("tagline", "x" * 81) == "is 81 characters; Rev B takes at most 80"
    assert brand_problem_b("brandVoice", "Warm and specific.") is not None
    assert project_problem_b("name", "Q") == "is 1 character; Rev B takes 3–30"
    assert project_problem_b("name", "Quinns Coffee Co") is None
    assert brand_of_b({"tagline": "T", "brandVoice": "warm", "name": "N"}) == {
        "appName": None,
        "appDescription": None,
        "tagline": "T",
        "brandVoice": "warm",
    }


@pytest.mark.parametrize(
    ("row", "approval"),
    [
        ({"requiresApproval": False, "firstNPostsBlocked": None}, {"requiresApproval": False}),
        ({"requiresApproval": True, "firstNPostsBlocked": 4}, {"firstNPostsBlocked": 4}),
        ({"requiresApproval": True, "firstNPostsBlocked": None}, {"requiresApproval": True}),
        # a row without the policy: the policy route is read instead
        ({}, None),
        ({"requiresApproval": True}, None),
        ({"requiresApproval": "yes", "firstNPostsBlocked": None}, None),
    ],
)
def test_the_review_policy_as_a_rev_b_project_row_shows_it(
    row: dict[str, Any], approval: dict[str, Any] | None
) -> None:
    project = Project.model_validate({"id": "prj_1", "customerExternalId": "c", **row})
    shown = approval_on_row(project)
    if approval is None:
        assert shown is None
    else:
        assert shown is not None
        assert approval.items() <= shown.items()
