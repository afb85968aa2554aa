"""Answers are parsed once, at the client, into frozen records with one name per field: the two
spellings an API revision may use land in the same attribute."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.records import (
    ConsentUrl,
    Container,
    CreditConfig,
    CreditLimits,
    Influencer,
    Installation,
    Job,
    Migration,
    Project,
    SocialAccount,
    Whoami,
)

from .conftest import Script, ok


@pytest.mark.parametrize(
    "row",
    [
        {"influencerId": "inf_1", "name": "Ava", "status": "ready"},  # Rev A
        {"id": "inf_1", "name": "Ava", "status": "ready"},  # Rev B
        {"influencerId": "inf_1", "id": "other", "name": "Ava", "status": "ready"},
    ],
)
def test_an_influencer_has_one_id_whatever_the_spelling(row: dict[str, Any]) -> None:
    influencer = Influencer.model_validate(row)
    assert (influencer.id, influencer.name, influencer.status) == ("inf_1", "Ava", "ready")


@pytest.mark.parametrize("row", [{"socialAccountId": "sa_1"}, {"id": "sa_1"}])
def test_a_social_account_has_one_id_whatever_the_spelling(row: dict[str, Any]) -> None:
    assert SocialAccount.model_validate({**row, "platform": "tiktok"}).id == "sa_1"


def test_a_row_with_neither_id_is_refused_naming_both() -> None:
    with pytest.raises(pydantic.ValidationError, match="neither 'influencerId' nor 'id'"):
        Influencer.model_validate({"name": "Ava"})


@pytest.mark.parametrize(
    ("row", "login"),
    [
        ({"orgLogin": "Acme"}, "Acme"),
        ({"githubAccount": {"login": "Acme"}}, "Acme"),
        ({"orgLogin": "", "githubAccount": {"login": "Acme"}}, "Acme"),
        ({"githubAccount": "not an object"}, None),
        ({}, None),
    ],
)
def test_an_installation_login_is_read_from_either_spelling(
    row: dict[str, Any], login: str | None
) -> None:
    assert Installation.model_validate({"installationId": 7, **row}).login == login


def test_fields_read_defensively_read_a_wrong_type_as_absent() -> None:
    job = Job.model_validate(
        {"jobId": "j1", "status": 5, "progress": True, "containerIds": ["c1", 2], "error": "x"}
    )
    assert (job.status, job.progress, job.container_ids, job.error) == (None, None, ("c1",), None)
    assert Whoami.model_validate({"scopes": "all", "rateLimitTier": 3}) == Whoami()


def test_a_poll_naming_the_job_id_is_a_job() -> None:
    assert Job.model_validate({"id": "job_1", "status": "completed"}).job_id == "job_1"


def test_records_are_frozen_and_keep_what_they_do_not_declare() -> None:
    url = ConsentUrl.model_validate({"installUrl": "https://x/install", "state": "s", "more": 1})
    assert url.authorize_url == "https://x/install"
    assert url.raw()["more"] == 1
    with pytest.raises(pydantic.ValidationError):
        url.state = "other"  # type: ignore[misc]  # the refused write is the test


async def test_every_helper_that_answered_a_dict_now_answers_a_record(
    make_client: Any,
) -> None:
    script = Script(
        [
            ok({"rateLimitTier": "partner", "scopes": ["*"]}),
            ok({"authorizeUrl": "https://x", "state": "s1", "expiresAt": "2027-01-01T00:00:00Z"}),
            ok({"status": "completed", "socialAccountId": "sa_1"}),
            ok({"scheduledPostIds": ["sp_1"], "gateStatus": "blocked_on_approval"}),
            ok({"requiresApproval": True}),
        ]
    )
    client: LayersClient
    async with make_client(script) as client:
        who = await client.whoami()
        url = await client.oauth_url("p1", "tiktok", "https://back")
        status = await client.oauth_status("p1", "s1")
        answer = await client.schedule("c1", {}, "k")
        policy = await client.get_approval_policy("p1")
    assert (who.rate_limit_tier, who.scopes, client.tier) == ("partner", ("*",), "partner")
    assert (url.authorize_url, url.state) == ("https://x", "s1")
    assert (status.status, status.social_account_id) == ("completed", "sa_1")
    assert (answer.scheduled_post_ids, answer.gate_status) == (("sp_1",), "blocked_on_approval")
    assert policy.values() == {"requiresApproval": True}


def test_a_project_reads_wrong_types_as_absent_is_frozen_and_gives_its_json_back() -> None:
    row = {
        "id": "p1",
        "customerExternalId": "c-1",
        "name": "C",
        "timezone": 5,
        "ownerEmail": "",
        "requiresApproval": "yes",
        "firstNPostsBlocked": True,
        "approvalPolicy": "none",
        "brandContext": {"tagline": "T"},
        "metadata": {"tier": "gold"},
        "newField": {"a": 1},
    }
    project = Project.model_validate(row)
    assert (project.id, project.customer_external_id, project.name) == ("p1", "c-1", "C")
    absent = (project.timezone, project.owner_email, project.requires_approval)
    assert absent == (None, None, None)
    assert (project.first_n_posts_blocked, project.approval_policy) == (None, None)
    assert project.brand_context == {"tagline": "T"}
    with pytest.raises(pydantic.ValidationError):
        project.name = "other"  # type: ignore[misc]  # the refused write is the test
    good = {
        k: v
        for k, v in row.items()
        if k
        not in (
            "timezone",
            "ownerEmail",
            "requiresApproval",
            "firstNPostsBlocked",
            "approvalPolicy",
        )
    }
    good |= {"timezone": "Europe/Berlin", "firstNPostsBlocked": 3, "requiresApproval": False}
    assert Project.model_validate(good).raw() == good


@pytest.mark.parametrize(
    ("wire", "named"),
    [
        ("slideshow-builder", "slideshow_builder"),
        ("video-remix", "video_remix"),
        ("ugc_remix", "ugc_remix"),
        ("auto", "auto"),
    ],
)
def test_a_format_reads_as_the_file_spells_it_whichever_revision_sent_it(
    wire: str, named: str
) -> None:
    assert Container.model_validate({"id": "cnt_1", "format": wire}).format == named
    assert Job.model_validate({"jobId": "job_1", "format": wire}).format == named


def test_a_credit_config_is_read_by_field_and_its_counts_stay_whole() -> None:
    answer = {
        "organizationId": "org_1",
        "config": {"monthlyCreditCap": 5000, "refillThreshold": None, "refillAmount": "x"},
        "balance": 10,
    }
    parsed = CreditConfig.model_validate(answer)
    assert parsed.limits == CreditLimits(monthly_credit_cap=5000)
    assert isinstance(parsed.limits.monthly_credit_cap, int)  # written back as 5000, not 5000.0
    assert parsed.config == answer["config"]  # as sent, for the plan's comparison by name
    assert parsed.raw() == answer
    assert CreditConfig.model_validate({"config": None}).limits is None


def test_a_migration_names_each_child_and_the_projects_it_moved() -> None:
    answer = {
        "projectsMoved": 1,
        "children": [{"id": "org_1", "name": "kid", "projectIds": ["prj_1", 7]}, "junk"],
    }
    (child,) = Migration.model_validate(answer).children
    assert (child.id, child.name, child.project_ids) == ("org_1", "kid", ("prj_1",))
