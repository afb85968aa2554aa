"""Pacing that follows the allowance the server reports (`X-RateLimit-Remaining`): a run starts
with the server's starting allowance instead of the client's own burst, then goes at the
documented rpm, never refused. The server here is the emulator's own limiter on the same
injected clock; nothing waits in real time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.client.pacing import EndpointClass, Pacer, RateBucket
from layers_reconcile.emulator.ratelimit import RateLimiter

from .conftest import ANY_RECORD, FakeClock

READ = EndpointClass.READ_LIGHT
MakeClient = Callable[..., LayersClient]


def limited_server(clock: FakeClock, *, tier: str = "standard") -> Callable[..., httpx.Response]:
    """Answers every request as a server with the emulator's limiter at `tier` would."""
    limiter = RateLimiter(tier)

    def answer(request: httpx.Request) -> httpx.Response:
        cls = "read-light" if request.method == "GET" else "write-light"
        verdict = limiter.check("key", cls, clock.now)
        headers = {"X-RateLimit-Endpoint-Class": cls, **verdict.headers}
        if not verdict.allowed:
            headers["Retry-After"] = str(verdict.retry_after)
            error = {"code": "RATE_LIMITED", "message": "slow down", "requestId": "r"}
            return httpx.Response(429, json={"error": error}, headers=headers)
        return httpx.Response(200, json={"rateLimitTier": tier, **ANY_RECORD}, headers=headers)

    return answer


async def test_reads_start_with_the_servers_allowance_then_go_at_the_documented_rate(
    make_client: MakeClient, clock: FakeClock
) -> None:
    start = clock.now
    async with make_client(limited_server(clock)) as client:
        await client.whoami()  # the server counts it: 119 reads left
        for _ in range(300):
            await client.request("GET", "/v1/projects/p1")
    assert client.stats.rate_limited == 0
    # 301 reads against a bucket of 120 refilled at 2 a second: (301 - 120) / 2 s at best.
    assert clock.now - start == pytest.approx((301 - 120) / 2.0, abs=1.0)
    # Before, its own burst of 12 and 90 % of the rate: (301 - 12) / 1.8 s, 161 s.
    # whoami's answer is the starting allowance: 119 reads left, of which one is kept back
    # (SYNC_MARGIN) for answers that cross: 118 at once, then one every 0.5 s.
    assert clock.sleeps == pytest.approx([0.5] * (300 - 118))


async def test_a_server_that_says_less_is_left_slows_the_class_down(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """Another client on the same key spent most of the allowance: the answer says 1 is left
    (kept back as the margin), so the next read waits for a token (0.5 s at 120 a minute);
    then 0 are left, so the one after waits for two."""
    answers = iter([{"X-RateLimit-Remaining": "1"}, {"X-RateLimit-Remaining": "0"}])

    def answer(request: httpx.Request) -> httpx.Response:
        headers = next(answers, {}) if request.url.path != "/v1/whoami" else {}
        return httpx.Response(
            200, json={"rateLimitTier": "standard", **ANY_RECORD}, headers=headers
        )

    async with make_client(answer) as client:
        await client.whoami()
        for _ in range(3):
            await client.request("GET", "/v1/projects/p1")
    assert clock.sleeps == pytest.approx([0.5, 1.0])


async def test_without_the_header_the_client_keeps_its_own_conservative_pace(
    make_client: MakeClient, clock: FakeClock
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"rateLimitTier": "standard", **ANY_RECORD})

    async with make_client(answer) as client:
        await client.whoami()
        for _ in range(12 + 3):
            await client.request("GET", "/v1/projects/p1")
    assert clock.sleeps == pytest.approx([60.0 / 108] * 3)
    assert not client.pacer.buckets[READ].synced


async def test_a_shard_keeps_its_share_even_when_the_server_reports_more(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """The other shards spend the same key's allowance: a shard cannot count their requests."""
    async with make_client(limited_server(clock), rate_share=0.5) as client:
        await client.whoami()
        for _ in range(6 + 3):
            await client.request("GET", "/v1/projects/p1")
    assert clock.sleeps == pytest.approx([60.0 / 54] * 3)


class VirtualTime:
    """A clock and sleep for several tasks at once: time jumps to the next wake-up only when
    every task is asleep, so concurrent callers see one consistent clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self._asleep: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._asleep, (self.now + max(0.0, seconds), next(self._order), wake))
        await wake

    async def run(self, *work: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.create_task(w) for w in work]
        while not all(t.done() for t in tasks):
            for _ in range(5):
                await asyncio.sleep(0)
            live = sum(1 for t in tasks if not t.done())
            if live and len(self._asleep) == live:
                when, _, wake = heapq.heappop(self._asleep)
                self.now = max(self.now, when)
                wake.set_result(None)
        for task in tasks:
            task.result()


@pytest.mark.parametrize("follow", [True, False])
def test_concurrent_callers_following_the_server_are_never_refused(follow: bool) -> None:
    """Sixteen callers, 800 reads; each request reaches the server after 0–0.3 s and its answer
    comes back 0–0.3 s later, so the server counts them out of order and the answers cross.
    Following the server's allowance, less the slots it may not have counted, none is refused
    and the run takes about the time the server's bucket needs; the client's own pace alone is
    slower."""
    vt = VirtualTime()
    server = RateLimiter("standard")
    bucket = RateBucket(vt, 120)
    refused = 0
    delays = random.Random(7)

    async def caller(n: int) -> None:
        nonlocal refused
        for _ in range(n):
            _waited, slot = await bucket.acquire(vt.sleep)
            await vt.sleep(delays.uniform(0.0, 0.3))  # on its way to the server
            verdict = server.check("key", "read-light", vt.now)
            await vt.sleep(delays.uniform(0.0, 0.3))  # the answer on its way back
            if follow:
                bucket.sync(int(verdict.headers["X-RateLimit-Remaining"]), slot)
            if not verdict.allowed:
                refused += 1
                bucket.penalize(verdict.retry_after)
            bucket.answered(slot)

    asyncio.run(vt.run(*(caller(50) for _ in range(16))))
    assert refused == 0
    if follow:  # the server's bucket needs (800 - 120) / 2 = 340 s
        assert 340.0 <= vt.now <= 340.0 * 1.06
    else:  # its own burst of 12 and 90 % of the rate: (800 - 12) / 1.8 = 438 s
        assert vt.now == pytest.approx((800 - 12) / 1.8, abs=3.0)


def test_a_class_has_reads_to_spare_while_a_quarter_of_its_bucket_is_left() -> None:
    clock = FakeClock(start=0.0, advance=False)
    pacer = Pacer(clock, clock.sleep)
    pacer.configure("standard")
    pacer.observe(READ, httpx.Headers({"X-RateLimit-Remaining": "100"}), slot=0)  # 99 of 101
    assert pacer.spare(READ)
    for _ in range(80):
        pacer.buckets[READ].reserve()
    assert not pacer.spare(READ)  # 19 left, under a quarter of 101
    clock.now += 5.0  # 10 more at 2 a second: 29
    assert pacer.spare(READ)


async def test_answers_inside_a_child_organization_are_not_followed(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """Whether a child organization has a rate bucket of its own is not documented: what an
    answer inside one says is left does not move the key's buckets."""

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"X-RateLimit-Remaining": "100", "X-RateLimit-Endpoint-Class": "read-light"}
        if request.url.path == "/v1/whoami":
            headers = {}
        return httpx.Response(
            200, json={"rateLimitTier": "standard", **ANY_RECORD}, headers=headers
        )

    async with make_client(answer) as client:
        await client.whoami()
        child = client.inside("org_child")
        await child.request("GET", "/v1/projects/p1")
        assert not client.pacer.buckets[READ].synced
        await client.request("GET", "/v1/projects/p1")
        assert client.pacer.buckets[READ].synced
