"""Polling a job: few polls, yet completion noticed within about a tenth of the job's duration.

The schedule works in job time (seconds since the job started) from the documented duration E:
the first poll at 0.6·E, then each gap 9.5 % of the time elapsed (a geometric approach to E), and
from E on 9 % of the time elapsed, every gap clamped to [0.2 s, 30 s]. A job finishing at D is
then seen at most ~10 % of D late for any D ≥ 0.55·E, and a job whose duration falls anywhere in
the documented range (0.55·E to 1.45·E for ingest's 3–8 min) costs about 7 polls on average.
Growing with elapsed time past E keeps a badly underestimated job to a logarithmic poll count.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

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
    growth_before: float = 0.095
    growth_after: float = 0.09
    min_interval: float = 0.2
    max_interval: float = 30.0

    def first(self) -> float:
        return max(self.min_interval, self.first_fraction * self.expected)

    def next_after(self, t: float) -> float:
        """The poll that follows a poll made at job time `t`."""
        first = self.first()
        if t < first:
            return first
        growth = self.growth_before if t < self.expected else self.growth_after
        gap = min(self.max_interval, max(self.min_interval, growth * t))
        return t + gap

    def times(self, until: float) -> list[float]:
        """Every poll time up to `until` (for tests and for estimating poll counts)."""
        out = [self.first()]
        while out[-1] < until:
            out.append(self.next_after(out[-1]))
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
) -> dict[str, Any]:
    """Poll `job_id` until it is terminal; return its final JSON or raise a JobError."""
    schedule = PollSchedule(max(expected_seconds, 0.0))
    started = clock()
    origin = started - max(elapsed, 0.0)
    deadline = started + (timeout if timeout is not None else default_timeout(expected_seconds))
    stats.jobs += 1
    etag: str | None = None
    job: dict[str, Any] | None = None
    due = schedule.first() if elapsed < schedule.first() else elapsed
    while True:
        now = clock()
        target = min(origin + due, deadline)
        if target > now:
            await sleep(target - now)
        answer = await fetch(job_id, etag)
        stats.polls += 1
        if answer.status != 304 or job is None:
            body = answer.json
            if isinstance(body, dict):
                job = body
                etag = answer.etag
                if on_progress is not None:
                    result = on_progress(job)
                    if inspect.isawaitable(result):
                        await result
        if job is not None:
            _raise_if_failed(job_id, job)
            if job.get("status") == "completed":
                return job
        now = clock()
        if now >= deadline:
            raise JobTimeoutError(
                f"job {job_id} still {(job or {}).get('status', 'unknown')} "
                f"after {now - started:.1f}s (expected {expected_seconds:.1f}s)",
                job_id=job_id,
                code=None,
                job=job,
            )
        due = schedule.next_after(max(due, now - origin))


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
