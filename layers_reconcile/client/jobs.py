"""Polling a job: few polls, yet completion noticed within about a tenth of the job's duration.

The schedule works in job time (seconds since the job started) from an estimate C of when the
job ends. C starts as the documented duration E. A poll that reports `progress` p (from 10 % on;
less says too little about the pace) at job time t extrapolates the job's own end t / p (the
remaining time ≈ t·(1−p)/p) and blends it with E: a job running ahead of the documentation pulls
C down to its own pace at once, one running behind moves C up as far as it has come
(C = p·(t/p) + (1−p)·E).

Polls: an early first poll at min(0.05·E, 10 s), never below 0.2 s, that catches a job running
far faster than documented (an emulator with `--speed 60` is seen at that poll) and reads its
pace; then a jump to 0.6·C; then each gap 9.5 % of the time elapsed (a geometric approach, so a
job finishing at D ≥ 0.55·C is seen at most ~10 % of D late), clamped to [0.2 s, 45 s], and while
the job's progress is known at least 40 % of the estimated time left. A job whose duration falls
anywhere in the documented range (0.55·E to 1.45·E for ingest's 3–8 min) costs ≤ 8 polls on
average whether it reports no progress, smooth progress or coarse stage progress (the tests
measure all three). Growing with elapsed time past C keeps a badly underestimated job to a
logarithmic poll count.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from layers_reconcile.durations import format_duration
from layers_reconcile.errors import JobFailedError, JobTimeoutError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
OnProgress = Callable[[dict[str, Any]], object]

TERMINAL_FAILURES = ("failed", "canceled", "cancelled")


class JobAnswer(Protocol):
    """What one poll returns: the status (200 or 304), the body and the ETag."""

    @property
    def status(self) -> int: ...
    @property
    def json(self) -> Any: ...
    @property
    def etag(self) -> str | None: ...


Fetch = Callable[[str, str | None], Awaitable[JobAnswer]]


@dataclass(frozen=True)
class PollSchedule:
    """When to poll a job of expected duration `expected` seconds, in job time."""

    expected: float
    first_fraction: float = 0.6
    growth: float = 0.095  # gap after the jump, as a share of the time waited so far
    min_interval: float = 0.2
    max_interval: float = 45.0
    early_fraction: float = 0.05
    early_cap: float = 10.0
    approach: float = 0.4
    trusted: float = 0.1  # below this, progress says too little about the pace

    def early(self) -> float:
        """The first poll: soon enough to catch a job far faster than documented."""
        return max(self.min_interval, min(self.early_fraction * self.expected, self.early_cap))

    def estimate(self, t: float, progress: float | None) -> float:
        """When the job should end, from its progress at job time `t` blended with `expected`."""
        if progress is None or not self.trusted <= progress < 1.0 or t <= 0:
            return self.expected
        own = t / progress  # the job's own pace: remaining ≈ t·(1−p)/p
        if own <= self.expected:
            return own
        return progress * own + (1.0 - progress) * self.expected

    def next_after(self, t: float, progress: float | None = None) -> float:
        """The poll that follows a poll made at job time `t` that reported `progress`."""
        early = self.early()
        if t < early:
            return early
        end = self.estimate(t, progress)
        jump = self.first_fraction * end
        if t < jump:
            return max(jump, t + self.min_interval)
        gap = min(self.max_interval, max(self.min_interval, self.growth * t))
        if progress is not None and progress >= self.trusted and t < end:
            # the job's own pace says how far the end still is: go part of the way
            gap = max(gap, self.approach * (end - t))
        return t + gap

    def times(
        self, until: float, progress: Callable[[float], float | None] | None = None
    ) -> list[float]:
        """Every poll time up to `until`, for a job whose progress at job time t is
        `progress(t)` (none by default); for tests and for estimating poll counts."""
        out = [self.early()]
        while out[-1] < until:
            t = out[-1]
            out.append(self.next_after(t, progress(t) if progress is not None else None))
        return out


def default_timeout(expected: float) -> float:
    """How long to wait for a job when the caller gives no timeout: ten times the estimate."""
    return 10.0 * max(expected, 0.0) + 60.0


@dataclass
class PollStats:
    polls: int = 0
    jobs: int = 0


async def wait_for_job(
    fetch: Fetch,
    job_id: str,
    *,
    expected_seconds: float,
    clock: Clock,
    sleep: Sleep,
    stats: PollStats,
    on_progress: OnProgress | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 (a deadline in job time, not a cancel scope)
    elapsed: float = 0.0,
    spare: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Poll `job_id` until it is terminal; return its final JSON or raise a JobError.

    `spare()` says whether a read now would take no slot another request waits for. The early
    poll is a bet that the job runs far faster than documented: when reads are short (False),
    it is skipped and the first poll is the one at 0.6 of the estimate."""
    schedule = PollSchedule(max(expected_seconds, 0.0))
    started = clock()
    origin = started - max(elapsed, 0.0)
    deadline = started + (timeout if timeout is not None else default_timeout(expected_seconds))
    stats.jobs += 1
    etag: str | None = None
    job: dict[str, Any] | None = None
    due = schedule.early() if elapsed < schedule.early() else elapsed
    speculative = elapsed < schedule.early()
    while True:
        now = clock()
        target = min(origin + due, deadline)
        if target > now:
            await sleep(target - now)
        if speculative and spare is not None and not spare():
            speculative = False
            due = schedule.next_after(due)
            continue
        speculative = False
        answer = await fetch(job_id, etag)
        stats.polls += 1
        if answer.status != 304 or job is None:
            job, etag = await _seen(answer, job, etag, on_progress)
        if job is not None:
            _raise_if_failed(job_id, job)
            if job.get("status") == "completed":
                return job
        now = clock()
        if now >= deadline:
            raise JobTimeoutError(
                f"job {job_id} still {(job or {}).get('status', 'unknown')} "
                f"after {format_duration(now - started)} (expected {format_duration(expected_seconds)})",
                job_id=job_id,
                code=None,
                job=job,
            )
        due = schedule.next_after(max(due, now - origin), _progress_of(job))


async def _seen(
    answer: JobAnswer, job: dict[str, Any] | None, etag: str | None, on_progress: OnProgress | None
) -> tuple[dict[str, Any] | None, str | None]:
    """The job and its ETag after a poll that sent a body (a body that is no object changes
    nothing); `on_progress` hears of each new state."""
    body = answer.json
    if not isinstance(body, dict):
        return job, etag
    if on_progress is not None:
        result = on_progress(body)
        if inspect.isawaitable(result):
            await result
    return body, answer.etag


def _progress_of(job: dict[str, Any] | None) -> float | None:
    value = (job or {}).get("progress")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _raise_if_failed(job_id: str, job: dict[str, Any]) -> None:
    status = job.get("status")
    if status not in TERMINAL_FAILURES:
        return
    raw_error = job.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    if code is None and status != "failed":
        code = "CANCELED"
    message = error.get("message") or status
    raise JobFailedError(
        f"job {job_id} {status}: {code or 'no error code'}: {message}",
        job_id=job_id,
        code=code,
        job=job,
    )
