"""The API key appears in no repr, str, log record, exception message or attribute."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.errors import ApiError, AuthError, TransportError

from .conftest import API_KEY, Script, fail, ok

MakeClient = Callable[..., LayersClient]


def strings_reachable_from(obj: Any, depth: int = 6, seen: set[int] | None = None) -> Iterator[str]:
    """str/repr of `obj` and of everything reachable through attributes, args, causes, items."""
    seen = set() if seen is None else seen
    if depth < 0 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str | bytes):
        yield obj if isinstance(obj, str) else obj.decode("utf-8", "replace")
        return
    yield repr(obj)
    yield str(obj)
    children: list[Any] = []
    if isinstance(obj, dict):
        children += [*obj.keys(), *obj.values()]
    elif isinstance(obj, list | tuple | set | frozenset):
        children += list(obj)
    if isinstance(obj, BaseException):
        children += [obj.args, obj.__cause__, obj.__context__, getattr(obj, "__notes__", None)]
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        children += list(vars(obj).values())
    for child in children:
        if child is not None:
            yield from strings_reachable_from(child, depth - 1, seen)


def assert_no_key(obj: Any) -> None:
    for text in strings_reachable_from(obj):
        assert API_KEY not in text


def assert_no_key_in_logs(records: list[logging.LogRecord]) -> None:
    for record in records:
        assert API_KEY not in record.getMessage()
        for value in vars(record).values():
            assert API_KEY not in repr(value)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def echo_key(request: httpx.Request) -> httpx.Response:
    """A hostile server that repeats the credentials it got everywhere it can."""
    auth = request.headers["authorization"]
    body = {
        "error": {
            "code": "UNAUTHENTICATED",
            "message": f"rejected {auth}",
            "requestId": f"req_{API_KEY}",
            "details": {"header": auth, "nested": [{"k": API_KEY}], API_KEY: 1},
        }
    }
    return httpx.Response(401, json=body, headers={"X-Request-Id": API_KEY})


async def test_the_key_is_sent_as_a_bearer_token(make_client: MakeClient) -> None:
    script = Script([ok()])
    async with make_client(script) as client:
        await client.request("GET", "/v1/projects/p1")
    assert script.requests[0].headers["authorization"] == f"Bearer {API_KEY}"


async def test_repr_and_str_of_the_client(make_client: MakeClient) -> None:
    async with make_client(Script([ok({"rateLimitTier": "pilot"})])) as client:
        await client.whoami()
        assert_no_key(client)
        assert_no_key(client.pacer)
        assert_no_key(client.stats)
        assert "pilot" in repr(client)


async def test_a_401_carries_no_key(
    make_client: MakeClient, logs: pytest.LogCaptureFixture
) -> None:
    async with make_client(Script([echo_key])) as client:
        with pytest.raises(AuthError) as info:
            await client.request("GET", "/v1/projects/p1")
    assert_no_key(info.value)
    assert "***" in str(info.value)
    assert_no_key_in_logs(logs.records)


@pytest.mark.parametrize(
    "exc_type",
    [httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError, httpx.ConnectTimeout],
)
async def test_a_transport_failure_carries_no_key(
    make_client: MakeClient, logs: pytest.LogCaptureFixture, exc_type: type[httpx.TransportError]
) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        # httpx exceptions hold the request, and so the Authorization header
        raise exc_type(f"failed with {request.headers['authorization']}", request=request)

    async with make_client(Script([boom]), max_attempts=3) as client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", "/v1/projects/p1")
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert_no_key(info.value)
    assert_no_key_in_logs(logs.records)
    assert any("get" in r.getMessage().lower() for r in logs.records)


async def test_a_failed_retried_request_carries_no_key(
    make_client: MakeClient, logs: pytest.LogCaptureFixture
) -> None:
    script = Script([fail(500, "INTERNAL", f"boom {API_KEY}")])
    async with make_client(script) as client:
        with pytest.raises(ApiError) as info:
            await client.create_project({"name": "x"}, "k")
    assert len(script.requests) == client.max_attempts
    assert_no_key(info.value)
    assert_no_key_in_logs(logs.records)


async def test_logs_name_method_path_status_attempt_and_request_id(
    make_client: MakeClient, logs: pytest.LogCaptureFixture
) -> None:
    reply = httpx.Response(200, json={}, headers={"X-Request-Id": "req_42"})
    async with make_client(Script([fail(500, "INTERNAL"), reply])) as client:
        await client.request("GET", "/v1/projects/p1")
    mine = [r.getMessage() for r in logs.records if r.name.startswith("layers_reconcile.client")]
    assert mine == [
        "GET /v1/projects/p1 -> 500 (attempt 1, requestId None)",
        "retrying GET /v1/projects/p1 (it met 500): attempt 2 of 6",
        "GET /v1/projects/p1 -> 200 (attempt 2, requestId req_42)",
    ]


async def test_a_retry_line_of_a_path_holding_the_key_shows_it_redacted(
    make_client: MakeClient, logs: pytest.LogCaptureFixture
) -> None:
    async with make_client(Script([fail(500, "INTERNAL"), ok({})])) as client:
        await client.request("GET", f"/v1/projects/{API_KEY}")
    mine = [r for r in logs.records if r.name.startswith("layers_reconcile")]
    retries = [r for r in mine if r.getMessage().startswith("retrying GET /v1/projects/")]
    assert len(retries) == 1
    assert_no_key_in_logs(mine)  # (httpx's own INFO lines are never shown: no handler takes them)
