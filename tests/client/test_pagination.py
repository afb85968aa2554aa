from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.errors import ApiError

from .conftest import Script, fail, ok

MakeClient = Callable[..., LayersClient]


def pages(n_items: int, per_page: int) -> Callable[[httpx.Request], httpx.Response]:
    items = [{"id": f"p{i}", "customerExternalId": None} for i in range(n_items)]

    def handler(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0"))
        end = start + per_page
        return ok({"items": items[start:end], "nextCursor": str(end) if end < n_items else None})

    return handler


async def test_paginate_follows_next_cursor_over_several_pages(make_client: MakeClient) -> None:
    script = Script([pages(7, 3)])
    async with make_client(script) as client:
        seen = [item["id"] async for item in client.paginate("/v1/projects", {"limit": 3})]
    assert seen == [f"p{i}" for i in range(7)]
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "3", "6"]
    assert {r.url.params["limit"] for r in script.requests} == {"3"}


async def test_list_all_collects_every_item(make_client: MakeClient) -> None:
    async with make_client(Script([pages(450, 200)])) as client:
        assert len(await client.list_all("/v1/projects")) == 450


async def test_list_projects_uses_the_largest_page(make_client: MakeClient) -> None:
    script = Script([pages(450, 200)])
    async with make_client(script) as client:
        projects = await client.list_projects()
    assert len(projects) == 450
    assert len(script.requests) == 3
    assert script.requests[0].url.params["limit"] == "200"


async def test_a_missing_next_cursor_ends_the_list(make_client: MakeClient) -> None:
    async with make_client(Script([ok({"items": [{"id": "a"}]})])) as client:
        assert await client.list_all("/v1/x") == [{"id": "a"}]


async def test_a_repeated_cursor_is_an_error_not_a_loop(make_client: MakeClient) -> None:
    async with make_client(Script([ok({"items": [{"id": "a"}], "nextCursor": "same"})])) as client:
        with pytest.raises(ApiError, match="same cursor"):
            await client.list_all("/v1/x")


async def test_a_failing_page_is_retried_in_place(make_client: MakeClient) -> None:
    handler = pages(5, 2)
    script = Script([handler, fail(500, "INTERNAL"), handler, handler])
    async with make_client(script) as client:
        items = await client.list_all("/v1/projects", {"limit": 2})
    assert [i["id"] for i in items] == [f"p{i}" for i in range(5)]
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "2", "2", "4"]


async def test_none_params_are_dropped(make_client: MakeClient) -> None:
    script = Script([ok({"authorizeUrl": "u", "state": "s"})])
    async with make_client(script) as client:
        await client.install_url("https://app.your-partner.com/cb")
    assert dict(script.requests[0].url.params) == {"returnUrl": "https://app.your-partner.com/cb"}
