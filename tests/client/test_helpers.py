"""Each typed helper is the documented call: method, path, query, body, idempotency key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from layers_reconcile.client import LayersClient, utc_timestamp
from layers_reconcile.errors import NotFoundError
from layers_reconcile.records import Model

from .conftest import Script, body_of, fail, ok

Call = Callable[[LayersClient], Awaitable[Any]]
# One answer that has the shape of every wire record (the helpers check what they return).
ROW = {"id": "x", "customerExternalId": None, "jobId": "j", "installationId": 1}
LIST = {"items": [ROW], "nextCursor": None}

CASES: list[tuple[str, Call, str, str, dict[str, str], Any, str | None]] = [
    # name, call, method, path, query, body, idempotency key ("*" = any generated one)
    ("whoami", lambda c: c.whoami(), "GET", "/v1/whoami", {}, None, None),
    (
        "find_projects",
        lambda c: c.find_projects("quinn-coffee-001"),
        "GET",
        "/v1/projects",
        {"customerExternalId": "quinn-coffee-001", "limit": "200"},
        None,
        None,
    ),
    (
        "list_projects",
        lambda c: c.list_projects(),
        "GET",
        "/v1/projects",
        {"limit": "200"},
        None,
        None,
    ),
    ("get_project", lambda c: c.get_project("p1"), "GET", "/v1/projects/p1", {}, None, None),
    (
        "create_project",
        lambda c: c.create_project({"name": "Q"}, "k1"),
        "POST",
        "/v1/projects",
        {},
        {"name": "Q"},
        "k1",
    ),
    (
        "patch_project",
        lambda c: c.patch_project("p1", {"name": "Q2"}),
        "PATCH",
        "/v1/projects/p1",
        {},
        {"name": "Q2"},
        "*",
    ),
    (
        "archive_project",
        lambda c: c.archive_project("p1"),
        "DELETE",
        "/v1/projects/p1",
        {},
        None,
        "*",
    ),
    (
        "get_approval_policy",
        lambda c: c.get_approval_policy("p1"),
        "GET",
        "/v1/projects/p1/approval-policy",
        {},
        None,
        None,
    ),
    (
        "patch_approval_policy",
        lambda c: c.patch_approval_policy("p1", {"requiresApproval": True}),
        "PATCH",
        "/v1/projects/p1/approval-policy",
        {},
        {"requiresApproval": True},
        "*",
    ),
    (
        "get_installation",
        lambda c: c.get_installation(),
        "GET",
        "/v1/github/installation",
        {},
        None,
        None,
    ),
    (
        "install_url",
        lambda c: c.install_url("https://app.your-partner.com/cb", login="quinns-coffee"),
        "GET",
        "/v1/github/installation/install-url",
        {"returnUrl": "https://app.your-partner.com/cb", "login": "quinns-coffee"},
        None,
        None,
    ),
    (
        "register_installation",
        lambda c: c.register_installation(48271993, "gh_state_1"),
        "POST",
        "/v1/github/installation",
        {},
        {"installationId": 48271993, "state": "gh_state_1"},
        "*",
    ),
    (
        "ingest_github",
        lambda c: c.ingest_github("p1", {"repoFullName": "o/r"}, "k2"),
        "POST",
        "/v1/projects/p1/ingest/github",
        {},
        {"repoFullName": "o/r"},
        "k2",
    ),
    (
        "list_influencers",
        lambda c: c.list_influencers("p1"),
        "GET",
        "/v1/projects/p1/influencers",
        {"limit": "100"},
        None,
        None,
    ),
    (
        "create_influencer",
        lambda c: c.create_influencer("p1", {"name": "Maya"}, "k3"),
        "POST",
        "/v1/projects/p1/influencers",
        {},
        {"name": "Maya"},
        "k3",
    ),
    (
        "list_content",
        lambda c: c.list_content("p1"),
        "GET",
        "/v1/projects/p1/content",
        {"limit": "200"},
        None,
        None,
    ),
    ("get_content", lambda c: c.get_content("c1"), "GET", "/v1/content/c1", {}, None, None),
    (
        "generate_content",
        lambda c: c.generate_content("p1", {"format": "auto"}, "k4"),
        "POST",
        "/v1/projects/p1/content",
        {},
        {"format": "auto"},
        "k4",
    ),
    (
        "regenerate_content",
        lambda c: c.regenerate_content("c1", {"brief": {}}, "k5"),
        "POST",
        "/v1/content/c1/regenerate",
        {},
        {"brief": {}},
        "k5",
    ),
    (
        "approve_content",
        lambda c: c.approve_content("c1", "Matches brief"),
        "POST",
        "/v1/content/c1/approve",
        {},
        {"note": "Matches brief"},
        "*",
    ),
    (
        "oauth_url",
        lambda c: c.oauth_url("p1", "tiktok", "https://app.your-partner.com/s"),
        "POST",
        "/v1/projects/p1/social/oauth-url",
        {},
        {"platform": "tiktok", "returnUrl": "https://app.your-partner.com/s"},
        "*",
    ),
    (
        "oauth_status",
        lambda c: c.oauth_status("p1", "st_1"),
        "GET",
        "/v1/projects/p1/social/oauth-status",
        {"state": "st_1"},
        None,
        None,
    ),
    (
        "list_social_accounts",
        lambda c: c.list_social_accounts("p1"),
        "GET",
        "/v1/projects/p1/social-accounts",
        {"limit": "200"},
        None,
        None,
    ),
    (
        "schedule",
        lambda c: c.schedule("c1", {"targets": []}, "k6"),
        "POST",
        "/v1/content/c1/schedule",
        {},
        {"targets": []},
        "k6",
    ),
    (
        "list_scheduled_posts",
        lambda c: c.list_scheduled_posts("p1"),
        "GET",
        "/v1/projects/p1/scheduled-posts",
        {"limit": "100"},
        None,
        None,
    ),
    (
        "get_scheduled_post",
        lambda c: c.get_scheduled_post("sp1"),
        "GET",
        "/v1/scheduled-posts/sp1",
        {},
        None,
        None,
    ),
    (
        "reschedule",
        lambda c: c.reschedule("sp1", datetime(2027, 3, 1, 22, tzinfo=UTC)),
        "POST",
        "/v1/scheduled-posts/sp1/reschedule",
        {},
        {"scheduledFor": "2027-03-01T22:00:00Z"},
        "*",
    ),
    (
        "cancel_post",
        lambda c: c.cancel_post("sp1"),
        "DELETE",
        "/v1/scheduled-posts/sp1",
        {},
        None,
        "*",
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "key"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
async def test_helper_sends_the_documented_request(
    make_client: Callable[..., LayersClient],
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    key: str | None,
) -> None:
    script = Script([ok({**LIST, **ROW} if method == "GET" else ROW)])
    async with make_client(script) as client:
        result = await call(client)
    assert isinstance(result, dict | list | Model)
    (request,) = script.requests
    assert (request.method, request.url.path) == (method, path)
    assert dict(request.url.params) == query
    assert body_of(request) == body
    sent_key = request.headers.get("idempotency-key")
    if key == "*":
        assert sent_key
    else:
        assert sent_key == key
    assert request.headers["authorization"].startswith("Bearer ")


def test_every_helper_of_the_design_is_covered() -> None:
    design = {
        "find_projects", "list_projects", "get_project", "create_project", "patch_project",
        "archive_project", "get_approval_policy", "patch_approval_policy", "get_installation",
        "install_url", "register_installation", "ingest_github", "list_influencers",
        "create_influencer", "list_content", "get_content", "generate_content",
        "regenerate_content", "approve_content", "oauth_url", "oauth_status",
        "list_social_accounts", "schedule", "list_scheduled_posts", "get_scheduled_post",
        "reschedule", "cancel_post",
    }  # fmt: skip
    assert design <= {case[0] for case in CASES}
    assert all(callable(getattr(LayersClient, name)) for name in design)


async def test_ids_are_escaped_into_one_path_segment(
    make_client: Callable[..., LayersClient],
) -> None:
    script = Script([ok({**LIST, **ROW})])
    async with make_client(script) as client:
        await client.get_project("../whoami?x=1")
    assert script.requests[0].url.raw_path == b"/v1/projects/..%2Fwhoami%3Fx%3D1"


async def test_find_projects_returns_the_items(make_client: Callable[..., LayersClient]) -> None:
    items = [{"id": "a", "customerExternalId": "c"}, {"id": "b", "customerExternalId": "c"}]
    async with make_client(Script([ok({"items": items})])) as client:
        assert [p.raw() for p in await client.find_projects("c")] == items


async def test_missing_installation_is_not_found(make_client: Callable[..., LayersClient]) -> None:
    async with make_client(Script([fail(404, "NOT_FOUND")])) as client:
        with pytest.raises(NotFoundError):
            await client.get_installation()


async def test_base_url_with_v1_is_not_doubled() -> None:
    script = Script([ok({"rateLimitTier": "standard"})])
    client = LayersClient("https://api.layers.com/v1/", "k", transport=httpx.MockTransport(script))
    async with client:
        await client.whoami()
    assert str(script.requests[0].url) == "https://api.layers.com/v1/whoami"


def test_utc_timestamp() -> None:
    pst = timezone(timedelta(hours=-8))
    assert utc_timestamp(datetime(2027, 3, 1, 14, tzinfo=pst)) == "2027-03-01T22:00:00Z"
    assert utc_timestamp("2027-03-01T22:00:00Z") == "2027-03-01T22:00:00Z"
    with pytest.raises(ValueError, match="naive"):
        utc_timestamp(datetime(2027, 3, 1))
