"""The objects an answer embeds (a project's `ingestState` and `approvalPolicy`, a child's
`summary`) read through records too: a part of the wrong shape reads as absent."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.records import (
    ApprovalPolicy,
    Container,
    IngestRun,
    IngestState,
    Organization,
    Project,
)

ROW: dict[str, Any] = {"id": "p1", "customerExternalId": "c-1"}


def test_a_projects_github_ingest_reads_by_attribute() -> None:
    state = {
        "status": "failed",
        "jobId": "job_1",
        "completedAt": None,
        "error": {"code": "E", "message": "m"},
    }
    run = Project.model_validate({**ROW, "ingestState": {"github": state}}).github_ingest
    assert run is not None
    assert (run.job_id, run.status, run.error and run.error.code) == ("job_1", "failed", "E")
    # what plan fingerprints: the object as sent, a null it sent kept
    assert run.as_sent() == state


@pytest.mark.parametrize(
    "ingest_state",
    [None, "x", [], {"github": None}, {"github": "completed"}, {"github": ["job_1"]}],
)
def test_a_github_ingest_of_the_wrong_shape_is_none(ingest_state: Any) -> None:
    assert Project.model_validate({**ROW, "ingestState": ingest_state}).github_ingest is None


def test_an_ingest_field_of_the_wrong_type_reads_as_absent() -> None:
    state = {"status": 3, "jobId": 12, "error": "boom"}
    run = Project.model_validate({**ROW, "ingestState": {"github": state}}).github_ingest
    assert run is not None
    assert (run.job_id, run.status, run.error) == (None, None, None)


def test_an_ingest_status_this_version_lacks_reads_unknown_and_is_fingerprinted_as_sent() -> None:
    state = {"status": "paused", "jobId": "job_1"}
    run = Project.model_validate({**ROW, "ingestState": {"github": state}}).github_ingest
    assert run is not None
    assert (run.status, run.as_sent()) == ("unknown", state)


@pytest.mark.parametrize(("sent", "read"), [(True, True), (False, False), ("no", None), (1, None)])
def test_an_approval_policy_requires_approval_only_as_a_boolean(sent: Any, read: Any) -> None:
    policy = ApprovalPolicy.model_validate({"requiresApproval": sent, "firstNPostsBlocked": 2})
    assert policy.requires_approval is read
    assert policy.values() == {"requiresApproval": sent, "firstNPostsBlocked": 2}


def test_a_projects_embedded_objects_are_parsed_with_the_row_and_given_back_as_sent() -> None:
    state = {"github": {"status": "running", "jobId": "job_1"}, "website": None}
    policy = {"requiresApproval": True, "firstNPostsBlocked": 3, "autoApproveAfter": "PT24H"}
    row = Project.model_validate({**ROW, "ingestState": state, "approvalPolicy": policy})
    assert isinstance(row.ingest_state, IngestState)
    assert isinstance(row.ingest_state.github, IngestRun)
    assert row.github_ingest is row.ingest_state.github  # read, never parsed again
    assert row.approval_policy is not None
    read = row.approval_policy
    assert (read.requires_approval, read.first_n_posts_blocked, read.auto_approve_after) == (
        True,
        3,
        "PT24H",
    )
    assert (row.as_sent()["ingestState"], row.as_sent()["approvalPolicy"]) == (state, policy)


@pytest.mark.parametrize(
    "sent",
    [
        {"requiresApproval": "no", "firstNPostsBlocked": "7", "autoApproveAfter": 5},
        {"requiresApproval": 1, "firstNPostsBlocked": True, "autoApproveAfter": ""},
    ],
)
def test_an_approval_policy_field_of_the_wrong_type_reads_as_none_and_dumps_as_sent(
    sent: dict[str, Any],
) -> None:
    policy = ApprovalPolicy.model_validate(sent)
    read = (policy.requires_approval, policy.first_n_posts_blocked, policy.auto_approve_after)
    assert read == (None, None, None)
    assert policy.values() == policy.raw() == policy.as_sent() == sent


@pytest.mark.parametrize(
    ("summary", "available"),
    [({"available": 40}, 40), ({"available": True}, None), ({"available": "40"}, None), (7, None)],
)
def test_a_childs_balance_is_a_whole_number_or_none(summary: Any, available: Any) -> None:
    child = Organization.model_validate({"id": "org_1", "summary": summary})
    assert (child.summary.available if child.summary else None) == available


@pytest.mark.parametrize(
    ("brief", "post"),
    [
        ({"hook": "h", "tiktokVideoId": "7300000000000000003"}, "7300000000000000003"),
        ({"tiktokVideoId": 7300000000000000003}, None),
        ({"tiktokVideoId": ""}, None),
        ({}, None),
        ("x", None),
    ],
)
def test_a_containers_source_post_is_read_from_its_brief_which_is_kept_as_sent(
    brief: Any, post: str | None
) -> None:
    container = Container.model_validate({"id": "cnt_1", "brief": brief})
    assert container.tiktok_video_id == post
    assert container.brief == (brief if isinstance(brief, dict) else None)
    assert "tiktokVideoId" not in container.raw()  # the brief alone holds it
