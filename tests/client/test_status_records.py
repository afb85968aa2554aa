"""Status fields of the parsed records are `statuses` Literals: a value this version does not
know reads as "unknown" (never as over or cleared), the value as sent is kept for messages."""

from __future__ import annotations

import pydantic
import pytest

from layers_reconcile import statuses
from layers_reconcile.records import Container, Influencer, Installation, Project, ScheduledPost


def test_known_statuses_read_as_sent() -> None:
    container = Container.model_validate(
        {"id": "cnt_1", "status": "processing", "approvalStatus": "approved"}
    )
    assert (container.status, container.approval_status) == ("processing", "approved")
    post = ScheduledPost.model_validate({"id": "sp_1", "status": "draft_in_inbox"})
    assert post.status == "draft_in_inbox"
    assert post.status in statuses.POST_DONE


def test_an_unknown_status_reads_unknown_keeps_what_was_sent_and_is_never_over() -> None:
    container = Container.model_validate(
        {"id": "cnt_1", "status": "moderated", "approvalStatus": "escalated"}
    )
    assert (container.status, container.status_sent) == ("unknown", "moderated")
    assert container.approval_status_sent == "escalated"
    assert container.status in statuses.CONTAINER_RUNNING  # not finished, as far as we know
    assert container.approval_status not in statuses.APPROVAL_CLEARED
    post = ScheduledPost.model_validate({"id": "sp_1", "status": "held"})
    assert post.status == "unknown"
    assert post.status not in statuses.POST_DONE
    influencer = Influencer.model_validate({"influencerId": "inf_1", "status": "cloning"})
    assert influencer.status in statuses.INFLUENCER_BUSY
    assert Installation.model_validate({"installationId": 1, "status": "paused"}).status == (
        "unknown"
    )


def test_raw_gives_the_status_back_as_the_api_sent_it() -> None:
    project = Project.model_validate(
        {"id": "p1", "customerExternalId": "c", "status": "suspended", "name": "N"}
    )
    assert project.status == "unknown"
    assert project.raw()["status"] == "suspended"
    assert "statusSent" not in project.raw()
    assert Project.model_validate(project.raw()).status_sent == "suspended"
    changed = project.model_copy(update={"status": "archived"})
    assert changed.raw()["status"] == "archived"  # a status set since is not put back
    active = Project.model_validate({"id": "p1", "customerExternalId": "c", "status": "active"})
    assert active.raw() == {"id": "p1", "customerExternalId": "c", "status": "active"}


def test_absent_reads_none_and_a_checked_status_of_the_wrong_type_is_refused() -> None:
    assert Container.model_validate({"id": "cnt_1"}).status is None
    assert Influencer.model_validate({"id": "inf_1", "status": 3}).status is None
    with pytest.raises(pydantic.ValidationError):
        Container.model_validate({"id": "cnt_1", "status": 3})
    with pytest.raises(pydantic.ValidationError):
        Project.model_validate({"id": "p1", "customerExternalId": "c", "status": ["active"]})
