from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from layers_reconcile.client import LayersClient, PollSchedule
from layers_reconcile.client.jobs import PollStats, wait_for_job
from layers_reconcile.errors import JobFailedError, JobTimeoutError
from layers_reconcile.records import Job

from .conftest import FakeClock

MakeClient = Callable[..., LayersClient]
STAGES = ("cloning", "analyzing", "generating_sdk_patch", "opening_pr", "finalizing")


class ScriptedJob:
    """A job that ends `duration` seconds after it was created, moving through STAGES.

    Its ETag changes only with the stage, so some polls are answered 304.
    """

    def __init__(
        self, clock: FakeClock, duration: float, *, outcome: str = "completed", code: str = ""
    ) -> None:
        self.clock = clock
        self.started = clock()
        self.duration = duration
        self.outcome = outcome
        self.code = code
        self.polls: list[float] = []
        self.if_none_match: list[str | None] = []
        self.not_modified = 0
        self.sent: list[dict[str, Any]] = []  # the bodies answered 200, in order

    def body(self) -> dict[str, Any]:
        t = self.clock() - self.started
        if t >= self.duration:
            body: dict[str, Any] = {"jobId": "job_1", "status": self.outcome, "progress": 1}
            if self.outcome == "failed":
                body["error"] = {"code": self.code, "message": "no platform"}
            if self.outcome == "completed":
                body["result"] = {"prNumber": 142}
            return body
        stage = STAGES[min(len(STAGES) - 1, int(len(STAGES) * t / self.duration))]
        progress = STAGES.index(stage) / len(STAGES)
        return {"jobId": "job_1", "status": "running", "stage": stage, "progress": progress}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/jobs/job_1"
        self.polls.append(self.clock() - self.started)
        sent = request.headers.get("if-none-match")
        self.if_none_match.append(sent)
        body = self.body()
        etag = f'"{body["status"]}-{body.get("stage")}"'
        if sent == etag:
            self.not_modified += 1
            return httpx.Response(304, headers={"ETag": etag})
        self.sent.append(body)
        return httpx.Response(200, json=body, headers={"ETag": etag})


def smooth(duration: float) -> Callable[[float], float]:
    """The emulator's progress: the fraction of the duration, floored to a hundredth."""
    return lambda t: min(0.99, math.floor(min(1.0, t / duration) * 100) / 100)


def staged(duration: float) -> Callable[[float], float]:
    """Progress that lags: a fifth per stage, like ScriptedJob."""
    return lambda t: math.floor(5 * min(t, duration * 0.9999) / duration) / 5


@pytest.mark.parametrize("expected", [1.0, 60.0, 135.0, 330.0])
def test_schedule_shape(expected: float) -> None:
    s = PollSchedule(expected)
    times = s.times(3 * expected)
    assert times[0] == pytest.approx(max(0.2, min(0.05 * expected, 10.0)))
    assert times[1] == pytest.approx(max(0.2 + times[0], 0.6 * expected))
    gaps = [b - a for a, b in itertools.pairwise(times)][1:]
    assert all(0.2 - 1e-9 <= g <= 45.0 + 1e-9 for g in gaps)
    assert all(g <= max(0.2, 0.1 * t) + 1e-9 for t, g in zip(times[1:], gaps, strict=False))


@pytest.mark.parametrize("progress", [None, smooth, staged])
@pytest.mark.parametrize(
    ("expected", "low", "high"),
    [(330.0, 180.0, 480.0), (135.0, 90.0, 180.0), (60.0, 45.0, 75.0), (135.0, 135.0, 135.0)],
)
def test_schedule_budget_over_the_documented_range(
    expected: float,
    low: float,
    high: float,
    progress: Callable[[float], Callable[[float], float]] | None,
) -> None:
    """≤ 8 polls per job on average, completion seen within 10 % of the job's duration, whether
    the job reports no progress, smooth progress (the emulator) or lagging stage progress."""
    n = 400
    polls, worst = 0, 0.0
    for i in range(n):
        d = low + (high - low) * (i + 0.5) / n
        times = PollSchedule(expected).times(2 * high, progress(d) if progress else None)
        k = next(j for j, t in enumerate(times) if t >= d)
        polls += k + 1
        worst = max(worst, (times[k] - d) / d)
    assert polls / n <= 8
    assert worst <= 0.10 + 1e-9


@pytest.mark.parametrize("progress", [smooth, staged])
@pytest.mark.parametrize("expected", [60.0, 135.0, 330.0])
def test_a_job_sixty_times_faster_is_seen_at_the_first_poll(
    expected: float, progress: Callable[[float], Callable[[float], float]]
) -> None:
    d = expected / 60
    times = PollSchedule(expected).times(d, progress(d))
    assert times == [pytest.approx(min(0.05 * expected, 10.0))]


@pytest.mark.parametrize("speed", [5.0, 10.0, 20.0])
@pytest.mark.parametrize("expected", [60.0, 135.0, 330.0])
def test_a_faster_job_is_followed_at_its_own_pace(expected: float, speed: float) -> None:
    """Its progress at the early poll sets the pace: few polls, seen within 10 %."""
    d = expected / speed
    times = PollSchedule(expected).times(d, smooth(d))
    assert len(times) <= 7
    assert times[-1] - d <= max(0.1 * d, 0.2)


def test_an_underestimated_job_costs_logarithmically_many_polls() -> None:
    times = PollSchedule(10.0).times(1000.0)  # took 100x the estimate
    assert len(times) < 100  # steps of 0.08·expected would have taken over 1200
    assert times[-1] - times[-2] <= 0.1 * times[-2]


async def test_polls_until_completed_with_etags(make_client: MakeClient, clock: FakeClock) -> None:
    job = ScriptedJob(clock, duration=300.0)
    seen: list[Job] = []
    async with make_client(job) as client:
        final = await client.wait_for_job("job_1", expected_seconds=330.0, on_job=seen.append)
    assert final.status == "completed"
    assert final.raw()["result"] == {"prNumber": 142}
    assert client.stats.polls == len(job.polls) <= 8
    assert client.stats.jobs_waited == 1
    assert job.polls[0] == pytest.approx(10.0)  # early: min(5 % of 330 s, 10 s)
    assert job.polls[1] == pytest.approx(0.6 * 330.0)  # no progress yet at 10 s: documented pace
    latency = job.polls[-1] - 300.0
    assert 0 <= latency <= 0.1 * 300.0
    # the first poll has no ETag; later ones send the last one received
    assert job.if_none_match[0] is None
    assert all(tag is not None for tag in job.if_none_match[1:])
    # on_job hears each fresh body, not the 304s
    assert len(seen) == len(job.polls) - job.not_modified
    assert seen[-1].status == "completed"


async def test_a_job_sixty_times_faster_is_noticed_in_seconds(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """The user's case: an emulator with --speed 60 finishes a 5.5 min ingest in 5.5 s."""
    job = ScriptedJob(clock, duration=330.0 / 60)
    async with make_client(job) as client:
        final = await client.wait_for_job("job_1", expected_seconds=330.0)
    assert final.status == "completed"
    assert job.polls == [pytest.approx(10.0)]
    assert client.stats.polls == 1


async def test_a_job_twenty_times_faster_follows_its_progress(
    make_client: MakeClient, clock: FakeClock
) -> None:
    job = ScriptedJob(clock, duration=330.0 / 20)
    async with make_client(job) as client:
        await client.wait_for_job("job_1", expected_seconds=330.0)
    assert len(job.polls) <= 6
    assert job.polls[-1] - 330.0 / 20 <= 0.1 * 330.0 / 20


async def test_304_keeps_the_last_body(make_client: MakeClient, clock: FakeClock) -> None:
    job = ScriptedJob(clock, duration=1000.0)
    async with make_client(job) as client:
        await client.wait_for_job("job_1", expected_seconds=1000.0)
    assert job.not_modified > 0


async def test_async_on_job_is_awaited(make_client: MakeClient, clock: FakeClock) -> None:
    stages: list[str | None] = []

    async def on_job(job: Job) -> None:
        stages.append(job.stage)

    async with make_client(ScriptedJob(clock, duration=100.0)) as client:
        await client.wait_for_job("job_1", expected_seconds=100.0, on_job=on_job)
    assert stages[-1] is None  # the terminal body has no stage
    assert len(stages) >= 2


async def test_failed_job_raises_with_its_code(make_client: MakeClient, clock: FakeClock) -> None:
    job = ScriptedJob(clock, 50.0, outcome="failed", code="SDK_PATCH_GENERATION_FAILED")
    async with make_client(job) as client:
        with pytest.raises(JobFailedError) as info:
            await client.wait_for_job("job_1", expected_seconds=60.0)
    assert info.value.code == "SDK_PATCH_GENERATION_FAILED"
    assert info.value.job_id == "job_1"
    assert info.value.job["status"] == "failed"
    assert "SDK_PATCH_GENERATION_FAILED" in str(info.value)


async def test_canceled_job_raises(make_client: MakeClient, clock: FakeClock) -> None:
    async with make_client(ScriptedJob(clock, 10.0, outcome="canceled")) as client:
        with pytest.raises(JobFailedError) as info:
            await client.wait_for_job("job_1", expected_seconds=10.0)
    assert info.value.code == "CANCELED"


async def test_timeout_polls_at_the_deadline_then_raises(
    make_client: MakeClient, clock: FakeClock
) -> None:
    job = ScriptedJob(clock, duration=math.inf)
    async with make_client(job) as client:
        with pytest.raises(JobTimeoutError) as info:
            await client.wait_for_job("job_1", expected_seconds=60.0, timeout=200.0)
    assert job.polls[-1] == pytest.approx(200.0)
    assert info.value.job_id == "job_1"
    assert info.value.job["status"] == "running"


async def test_default_timeout_is_generous_but_finite(
    make_client: MakeClient, clock: FakeClock
) -> None:
    job = ScriptedJob(clock, duration=math.inf)
    async with make_client(job) as client:
        with pytest.raises(JobTimeoutError):
            await client.wait_for_job("job_1", expected_seconds=60.0)
    assert job.polls[-1] == pytest.approx(10 * 60.0 + 60.0)


async def test_a_resumed_job_is_polled_at_once(make_client: MakeClient, clock: FakeClock) -> None:
    job = ScriptedJob(clock, duration=0.0)
    async with make_client(job) as client:
        await client.wait_for_job("job_1", expected_seconds=300.0, elapsed=400.0)
    assert job.polls == [0.0]
    assert clock.sleeps == []


async def test_polls_are_counted_across_jobs(make_client: MakeClient, clock: FakeClock) -> None:
    async with make_client(ScriptedJob(clock, duration=5.0)) as client:
        await client.wait_for_job("job_1", expected_seconds=5.0)
        first = client.stats.polls
        await client.wait_for_job("job_1", expected_seconds=5.0)
    assert client.stats.jobs_waited == 2
    assert client.stats.polls == first + 1  # the second wait sees it completed at once


async def test_the_early_poll_is_skipped_while_reads_are_short(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """When a read now would take a slot other requests wait for, the speculative early poll is
    not sent: the first poll is at 0.6 of the estimate, and the job is still seen on time."""
    job = ScriptedJob(clock, duration=300.0)

    async def fetch(job_id: str, etag: str | None) -> Any:
        async with make_client(job) as client:
            return await client.request("GET", f"/v1/jobs/{job_id}", expect=(200, 304))

    asked: list[float] = []

    def spare() -> bool:
        asked.append(clock())
        return False

    final = await wait_for_job(
        fetch,
        "job_1",
        expected_seconds=330.0,
        clock=clock,
        sleep=clock.sleep,
        stats=PollStats(),
        spare=spare,
    )
    assert final["status"] == "completed"
    assert len(asked) == 1  # only the early poll is a bet
    assert job.polls[0] == pytest.approx(0.6 * 330.0)
    assert 0 <= job.polls[-1] - 300.0 <= 0.1 * 300.0


async def test_on_job_hears_each_fresh_state_as_a_job_record(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """apply's progress reads the job by attribute: each state is parsed at the client."""
    job = ScriptedJob(clock, duration=300.0)
    heard: list[Job] = []
    async with make_client(job) as client:
        await client.wait_for_job("job_1", expected_seconds=330.0, on_job=heard.append)
    assert [type(j) for j in heard] == [Job] * len(job.sent)
    assert [(j.stage, j.progress) for j in heard] == [
        (b.get("stage"), b.get("progress")) for b in job.sent
    ]
    assert heard[-1].status == "completed"
    assert any(j.stage and 0 < (j.progress or 0) < 1 for j in heard)
