from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest

from layers_reconcile.advice import advice_for
from layers_reconcile.cli.common import describe
from layers_reconcile.client import LayersClient
from layers_reconcile.errors import (
    ApiError,
    ApiServerError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    ValidationError,
)
from layers_reconcile.guidance import sentence

from .conftest import ANY_RECORD, FakeClock, Reply, Script, fail, ok

MakeClient = Callable[..., LayersClient]


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("connection refused")


def read_timeout() -> httpx.ReadTimeout:
    return httpx.ReadTimeout("timed out")


@pytest.mark.parametrize(
    "failures",
    [
        [fail(500, "INTERNAL")],
        [fail(500, "INTERNAL"), fail(502, "BAD_GATEWAY"), fail(504, "TIMEOUT")],
        [fail(503, "UNAVAILABLE")],
        [httpx.Response(500, text="<html>oops</html>")],
        [connect_error()],
        [read_timeout()],
        [httpx.RemoteProtocolError("Server disconnected without sending a response.")],
        [httpx.Response(200, text="{truncated")],
    ],
)
async def test_get_is_retried_until_it_succeeds(
    make_client: MakeClient, failures: list[Reply]
) -> None:
    script = Script([*failures, ok({"id": "p1"})])
    async with make_client(script) as client:
        assert (await client.request("GET", "/v1/projects/p1")).json == {"id": "p1"}
    assert len(script.requests) == len(failures) + 1
    assert client.stats.retries == len(failures)


async def test_attempts_are_capped(make_client: MakeClient) -> None:
    script = Script([fail(500, "INTERNAL")])
    async with make_client(script, max_attempts=4) as client:
        with pytest.raises(ApiServerError) as info:
            await client.request("GET", "/v1/projects/p1")
    assert len(script.requests) == 4
    assert info.value.code == "INTERNAL"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION", ValidationError),
        (404, "NOT_FOUND", NotFoundError),
        (409, "IDEMPOTENCY_CONFLICT", ConflictError),
        (422, "VALIDATION", ValidationError),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
async def test_client_errors_are_never_retried(
    make_client: MakeClient, status: int, code: str, cls: type[Exception], method: str
) -> None:
    script = Script([fail(status, code), ok()])
    async with make_client(script) as client:
        with pytest.raises(cls):
            await client.request(method, "/v1/projects/p1", idempotency_key="k-1")
    assert len(script.requests) == 1


async def test_kill_switch_is_not_retried(make_client: MakeClient) -> None:
    script = Script([fail(503, "KILL_SWITCH"), ok()])
    async with make_client(script) as client:
        with pytest.raises(ApiServerError):
            await client.whoami()
    assert len(script.requests) == 1


async def test_429_waits_exactly_retry_after(make_client: MakeClient, clock: FakeClock) -> None:
    script = Script([fail(429, "RATE_LIMITED", **{"Retry-After": "2.5"}), ok({"id": "p1"})])
    async with make_client(script) as client:
        assert (await client.request("GET", "/v1/projects/p1")).json == {"id": "p1"}
    assert clock.sleeps == [2.5]
    assert len(script.requests) == 2
    assert client.stats.rate_limited == 1


async def test_503_with_retry_after_waits_exactly_that(
    make_client: MakeClient, clock: FakeClock
) -> None:
    script = Script([fail(503, "UNAVAILABLE", **{"Retry-After": "4"}), ok()])
    async with make_client(script) as client:
        await client.request("GET", "/v1/projects/p1")
    assert clock.sleeps == [4.0]


async def test_retry_after_beyond_the_budget_gives_up(make_client: MakeClient) -> None:
    script = Script([fail(429, "RATE_LIMITED", **{"Retry-After": "600"}), ok()])
    async with make_client(script, retry_budget=60.0) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.request("GET", "/v1/projects/p1")
    assert info.value.retry_after == 600.0
    assert len(script.requests) == 1


async def test_a_429_holds_the_whole_class(make_client: MakeClient, clock: FakeClock) -> None:
    clock.advance = False  # every call below happens while the class is still held
    script = Script([fail(429, "RATE_LIMITED", **{"Retry-After": "3"}), ok(ANY_RECORD)])
    async with make_client(script) as client:
        await client.request("GET", "/v1/projects/p1")  # waits 3 s, then succeeds
        await client.get_content("c1")  # another read-light caller waits too
        await client.patch_project("p1", {"name": "x"})  # write-light is not held
    assert clock.sleeps == [3.0, 3.0]


@pytest.mark.parametrize(
    "failure",
    [fail(500, "INTERNAL"), read_timeout(), httpx.RemoteProtocolError("reset"), fail(504, "GW")],
)
async def test_keyless_post_is_not_retried_after_an_ambiguous_failure(
    make_client: MakeClient, failure: httpx.Response | Exception
) -> None:
    script = Script([failure, ok()])
    async with make_client(script) as client:
        with pytest.raises((ApiServerError, TransportError)):
            await client.register_installation(48271993, "gh_state")
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        connect_error(),
        httpx.ConnectTimeout("t"),
        fail(503, "UNAVAILABLE"),
        fail(429, "RATE_LIMITED"),
    ],
)
async def test_keyless_post_is_retried_when_the_work_surely_was_not_done(
    make_client: MakeClient, failure: httpx.Response | Exception
) -> None:
    script = Script([failure, ok({"installationId": 1})])
    async with make_client(script) as client:
        assert (await client.register_installation(1, "gh_state")).installation_id == 1
    assert len(script.requests) == 2
    assert script.keys[0] == script.keys[1]


@pytest.mark.parametrize(
    "failures",
    [
        [fail(500, "INTERNAL"), read_timeout(), connect_error()],
        [httpx.RemoteProtocolError("lost"), fail(503, "UNAVAILABLE", **{"Retry-After": "1"})],
    ],
)
async def test_every_attempt_of_a_mutating_call_carries_the_same_key(
    make_client: MakeClient, failures: list[Reply]
) -> None:
    script = Script([*failures, ok(ANY_RECORD, status=201)])
    async with make_client(script) as client:
        await client.create_project({"name": "Q"}, "idem-123")
    assert script.keys == ["idem-123"] * (len(failures) + 1)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_keyless_patch_and_delete_get_one_generated_key_for_all_attempts(
    make_client: MakeClient, method: str
) -> None:
    script = Script([fail(500, "INTERNAL"), read_timeout(), ok()])
    async with make_client(script) as client:
        await client.request(method, "/v1/projects/p1", json={"name": "x"})
    assert len(script.requests) == 3
    assert script.keys[0] is not None
    assert len(set(script.keys)) == 1


async def test_two_calls_get_two_generated_keys(make_client: MakeClient) -> None:
    script = Script([ok(ANY_RECORD)])
    async with make_client(script) as client:
        await client.patch_project("p1", {"name": "a"})
        await client.patch_project("p1", {"name": "a"})
    assert script.keys[0] != script.keys[1]


async def test_get_sends_no_idempotency_key(make_client: MakeClient) -> None:
    script = Script([ok()])
    async with make_client(script) as client:
        await client.request("GET", "/v1/projects/p1")
    assert script.keys == [None]


async def test_an_unexpected_status_is_an_error_not_a_retry(make_client: MakeClient) -> None:
    script = Script([httpx.Response(302, headers={"Location": "/elsewhere"})])
    async with make_client(script) as client:
        with pytest.raises(Exception, match="unexpected HTTP 302"):
            await client.request("GET", "/v1/projects/p1")
    assert len(script.requests) == 1


async def test_real_backoff_is_jittered_exponential_and_bounded(
    make_client: MakeClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside stamina's test mode the backoff is 0.5 s doubling, jitter ≤ 1 s, and it is slept
    with the client's own sleep (on its injected clock): stamina itself never waits."""
    import stamina

    stamina_waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        stamina_waits.append(seconds)

    monkeypatch.setattr("stamina._core._smart_sleep", fake_sleep)
    script = Script([fail(500, "INTERNAL")] * 4 + [ok()])
    with stamina.set_testing(False):
        async with make_client(script) as client:
            await client.request("GET", "/v1/projects/p1")
    waits = clock.sleeps
    assert len(waits) == 4
    for n, wait in enumerate(waits):
        low = 0.5 * 2**n
        assert low <= wait <= min(10.0, low + 1.0)
    assert not any(stamina_waits)


async def test_our_own_protocol_mistakes_are_not_retried(make_client: MakeClient) -> None:
    script = Script([httpx.UnsupportedProtocol("no such scheme"), ok()])
    async with make_client(script) as client:
        with pytest.raises(TransportError, match="UnsupportedProtocol"):
            await client.request("GET", "/v1/projects/p1")
    assert len(script.requests) == 1


async def test_idempotent_true_makes_a_keyless_post_retryable(make_client: MakeClient) -> None:
    script = Script([fail(500, "INTERNAL"), read_timeout(), ok({"installationId": 1})])
    async with make_client(script) as client:
        await client.request("POST", "/v1/github/installation", json={}, idempotent=True)
    assert len(script.requests) == 3
    assert len(set(script.keys)) == 1


async def test_cancellation_is_not_swallowed_by_the_retry_loop() -> None:
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with LayersClient("http://x", "k", transport=httpx.MockTransport(hang)) as client:
        task = asyncio.create_task(client.request("GET", "/v1/projects/p1"))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert client.stats.requests == 1


@pytest.mark.parametrize(
    "path",
    [
        "/v1/projects/p1/social/oauth-url",
        "/v1/projects/p1/social/reauth-url",
        "/v1/content/c1/approve",
        "/v1/scheduled-posts/sp1/reschedule",
    ],
)
async def test_posts_repeatable_by_nature_are_retried_without_a_key(
    make_client: MakeClient, path: str
) -> None:
    script = Script([fail(500, "INTERNAL"), httpx.RemoteProtocolError("lost"), ok()])
    async with make_client(script) as client:
        await client.request("POST", path, json={})
    assert len(script.requests) == 3
    assert len(set(script.keys)) == 1


async def test_idempotent_false_overrides_the_route_table(make_client: MakeClient) -> None:
    script = Script([fail(500, "INTERNAL"), ok()])
    async with make_client(script) as client:
        with pytest.raises(ApiServerError):
            await client.request("POST", "/v1/content/c1/approve", json={}, idempotent=False)
    assert len(script.requests) == 1


async def test_a_refused_first_request_fails_after_two_quick_attempts(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """A wrong --api-url: whoami, the run's first request, gives up in a fraction of a second."""
    script = Script([connect_error()])
    async with make_client(script) as client:
        with pytest.raises(TransportError) as info:
            await client.whoami()
    assert len(script.requests) == 2
    assert sum(clock.sleeps) <= 0.5
    assert "ConnectError" in str(info.value)


async def test_a_refused_connection_later_in_the_run_is_retried_as_usual(
    make_client: MakeClient,
) -> None:
    script = Script([ok({"rateLimitTier": None}), connect_error(), connect_error(), ok({})])
    async with make_client(script) as client:
        await client.whoami()
        await client.request("GET", "/v1/projects/p1")
    assert len(script.requests) == 4


async def test_a_first_whoami_that_gets_a_500_is_still_retried(make_client: MakeClient) -> None:
    script = Script([fail(500, "INTERNAL"), fail(503, "UNAVAILABLE"), ok({})])
    async with make_client(script) as client:
        await client.whoami()
    assert len(script.requests) == 3


async def test_a_request_that_gives_up_carries_what_every_attempt_met(
    make_client: MakeClient,
) -> None:
    script = Script(
        [
            fail(429, "RATE_LIMITED", **{"Retry-After": "1"}),
            fail(500, "INTERNAL"),
            fail(500, "INTERNAL"),
            fail(429, "RATE_LIMITED", **{"Retry-After": "1"}),
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            fail(429, "RATE_LIMITED", **{"Retry-After": "1"}),
        ]
    )
    async with make_client(script) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.request("GET", "/v1/projects/p1")
    attempts = info.value.attempts
    assert str(attempts) == "6 attempts: 3 × 429, 2 × 500, 1 × dropped connection"
    # Not only 429s: slowing down is not the advice, nor is checking the URL.
    advice = _advice(info.value)
    assert "--parallelism" not in advice
    assert "--api-url" not in advice
    assert "again later" in advice
    # What `plan`/`apply` print when a read every customer needs (whoami, the list) gives up.
    message = describe(info.value)
    assert "6 attempts: 3 × 429, 2 × 500, 1 × dropped connection" in message
    assert "Lower --parallelism" not in message
    assert "Could not reach" not in message


@pytest.mark.parametrize(
    ("failure", "outcomes", "advice"),
    [
        (fail(429, "RATE_LIMITED", **{"Retry-After": "1"}), "6 × 429", "Lower --parallelism"),
        (connect_error(), "6 × could not connect", "Check --api-url"),
        (fail(503, "UNAVAILABLE"), "6 × 503", "again later"),
    ],
)
async def test_the_advice_of_a_request_that_gave_up_follows_its_attempts(
    make_client: MakeClient, failure: httpx.Response | Exception, outcomes: str, advice: str
) -> None:
    script = Script([failure])
    async with make_client(script) as client:
        with pytest.raises((RateLimitedError, TransportError, ApiServerError)) as info:
            await client.request("GET", "/v1/projects/p1")
    error = info.value
    assert isinstance(error, ApiError)
    assert str(error.attempts) == f"6 attempts: {outcomes}"
    assert advice in _advice(error)


def _advice(error: ApiError) -> str:
    advice = advice_for(error)
    assert advice is not None
    return sentence(advice.text)


async def test_each_retry_is_one_line_saying_what_it_met_and_which_attempt(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script([fail(503, "UNAVAILABLE"), read_timeout(), ok({"id": "p1"})])
    with caplog.at_level(logging.INFO, logger="layers_reconcile"):
        async with make_client(script) as client:
            await client.request("GET", "/v1/projects/p1")
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert retries == [
        "retrying GET /v1/projects/p1 (it met 503): attempt 2 of 6",
        "retrying GET /v1/projects/p1 (it met no answer in time): attempt 3 of 6",
    ]
