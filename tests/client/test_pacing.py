from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.client.pacing import (
    TIER_RPM,
    EndpointClass,
    RateBucket,
    burst_for,
    endpoint_class,
)

from .conftest import ANY_RECORD, FakeClock, Script, fail, ok

MakeClient = Callable[..., LayersClient]
READ, WRITE, LONG = EndpointClass.READ_LIGHT, EndpointClass.WRITE_LIGHT, EndpointClass.LONG_RUNNING


@pytest.mark.parametrize(
    ("method", "path", "cls"),
    [
        ("GET", "/v1/projects", READ),
        ("GET", "/v1/jobs/job_1", READ),
        ("PATCH", "/v1/projects/p1", WRITE),
        ("DELETE", "/v1/scheduled-posts/sp1", WRITE),
        ("POST", "/v1/projects", WRITE),
        ("POST", "/v1/content/c1/approve", WRITE),
        ("POST", "/v1/content/c1/schedule", WRITE),
        ("POST", "/v1/projects/p1/social/oauth-url", WRITE),
        ("POST", "/v1/github/installation", WRITE),
        ("POST", "/v1/scheduled-posts/sp1/reschedule", WRITE),
        ("POST", "/v1/projects/p1/content/upload", WRITE),
        ("POST", "/v1/projects/p1/ingest/github", LONG),
        ("POST", "/v1/projects/p1/content", LONG),
        ("POST", "/v1/projects/p1/content/", LONG),
        ("POST", "/v1/content/c1/regenerate", LONG),
        ("POST", "/v1/projects/p1/influencers", LONG),
        ("post", "/v1/influencers/i1/clone", LONG),
    ],
)
def test_endpoint_classes(method: str, path: str, cls: EndpointClass) -> None:
    assert endpoint_class(method, path) is cls


def test_tiers_are_the_documented_rpm() -> None:
    assert {t: [v[READ], v[WRITE], v[LONG]] for t, v in TIER_RPM.items()} == {
        "standard": [120, 60, 20],
        "pilot": [1200, 600, 60],
        "partner": [6000, 3000, 300],
    }


@pytest.mark.parametrize("rpm", [20, 60, 120, 300, 600, 1200, 3000, 6000])
def test_a_bucket_never_exceeds_rpm_in_any_60s_window(rpm: int) -> None:
    clock = FakeClock(start=0.0)
    bucket = RateBucket(clock, rpm)
    sent: list[float] = []
    for _ in range(3 * rpm):
        delay, _epoch = bucket.reserve()
        clock.now += delay
        sent.append(clock.now)
    left = 0
    for right, t in enumerate(sent):
        while sent[left] <= t - 60.0:
            left += 1
        assert right - left + 1 <= rpm
    # and it is not needlessly slow: the steady rate is rpm - burst, 90 % of the limit
    assert sent[-1] <= 3 * 60.0 / 0.9


async def test_no_pacing_before_whoami(make_client: MakeClient, clock: FakeClock) -> None:
    async with make_client(Script([ok()])) as client:
        for _ in range(200):
            await client.request("GET", "/v1/projects/p1")
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("cls", "call"),
    [
        (READ, lambda c: c.request("GET", "/v1/projects/p1")),
        (WRITE, lambda c: c.patch_project("p1", {"name": "x"})),
        (LONG, lambda c: c.ingest_github("p1", {"repoFullName": "o/r"}, "k")),
    ],
)
async def test_sequential_calls_over_the_burst_sleep_one_interval_each(
    make_client: MakeClient,
    clock: FakeClock,
    cls: EndpointClass,
    call: Callable[[LayersClient], Awaitable[object]],
) -> None:
    rpm = TIER_RPM["standard"][cls]
    burst = burst_for(rpm)
    interval = 60.0 / (rpm - burst)
    script = Script([ok({"rateLimitTier": "standard", **ANY_RECORD})])
    async with make_client(script) as client:
        await client.whoami()
        assert client.tier == "standard"
        for _ in range(burst + 5):
            await call(client)
    assert clock.sleeps == pytest.approx([interval] * 5)
    assert client.stats.paced_seconds == pytest.approx(5 * interval)


async def test_concurrent_calls_queue_behind_each_other(
    make_client: MakeClient, clock: FakeClock
) -> None:
    clock.advance = False
    script = Script([ok({"rateLimitTier": "standard", **ANY_RECORD})])
    async with make_client(script) as client:
        await client.whoami()  # whoami itself ran unpaced
        await asyncio.gather(*(client.request("GET", f"/v1/projects/p{i}") for i in range(15)))
    interval = 60.0 / (120 - 12)
    assert sorted(clock.sleeps) == pytest.approx([interval, 2 * interval, 3 * interval])


async def test_classes_have_separate_buckets(make_client: MakeClient, clock: FakeClock) -> None:
    script = Script([ok({"rateLimitTier": "standard", **ANY_RECORD})])
    async with make_client(script) as client:
        await client.whoami()
        for _ in range(11):
            await client.request("GET", "/v1/projects/p")
        for _ in range(6):
            await client.patch_project("p", {})
        for _ in range(2):
            await client.generate_content("p", {}, "k")
    assert clock.sleeps == []


async def test_partner_tier_paces_a_large_plan_without_sleeping_early(
    make_client: MakeClient, clock: FakeClock
) -> None:
    script = Script([ok({"rateLimitTier": "partner"})])
    async with make_client(script) as client:
        await client.whoami()
        for _ in range(599):
            await client.request("GET", "/v1/projects/p")
    assert clock.sleeps == []


async def test_unknown_tier_is_unpaced(make_client: MakeClient, clock: FakeClock) -> None:
    async with make_client(Script([ok({"rateLimitTier": "internal", **ANY_RECORD})])) as client:
        await client.whoami()
        for _ in range(500):
            await client.generate_content("p", {}, "k")
    assert clock.sleeps == []
    assert client.tier == "internal"


async def test_after_a_429_the_class_resumes_at_its_rate_not_in_a_burst(
    make_client: MakeClient, clock: FakeClock
) -> None:
    replies = [
        ok({"rateLimitTier": "standard", **ANY_RECORD}),
        fail(429, "RATE_LIMITED", **{"Retry-After": "5"}),
    ]
    script = Script([*replies, ok()])
    async with make_client(script) as client:
        await client.whoami()
        await client.request("GET", "/v1/projects/p")  # 429, then waits 5 s
        await client.request("GET", "/v1/projects/p")
    interval = 60.0 / (120 - 12)
    assert clock.sleeps == pytest.approx([5.0, interval])


def test_penalty_voids_the_slots_of_sleepers() -> None:
    clock = FakeClock(start=0.0, advance=False)
    bucket = RateBucket(clock, 60)  # burst 6, then one per 60/54 s

    async def scenario() -> list[float]:
        for _ in range(6):
            bucket.reserve()
        waiter = asyncio.create_task(bucket.acquire(clock.sleep))
        await asyncio.sleep(0)  # the waiter reserved a slot and sleeps
        bucket.penalize(10.0)
        return [(await waiter)[0]]

    waited = asyncio.run(scenario())
    assert clock.sleeps == pytest.approx([60 / 54, 10.0 + 0.0])
    assert waited == pytest.approx([60 / 54 + 10.0])
