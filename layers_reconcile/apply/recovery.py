"""Turn what went wrong into a Failure: the API's code and requestId, and what to do (which
advice a failed API call gets is `layers_reconcile.advice`, its texts `layers_reconcile.guidance`;
this module only frames it in apply's words)."""

from __future__ import annotations

import json
from typing import Any

from layers_reconcile.advice import advice_for, shown_code
from layers_reconcile.apply.events import Failure
from layers_reconcile.errors import (
    ApiError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    ReconcileError,
    is_transient,
)
from layers_reconcile.guidance import (
    GRANT_REPO,
    REINSTALL,
    SET_PLATFORMS,
    UNKNOWN_INSTALLATION,
    recovery_for,
    sentence,
)


class StepError(ReconcileError):
    """A step could not finish for a reason that is not an API or job error."""

    def __init__(self, message: str, *, recovery: str | None = None) -> None:
        self.recovery = recovery
        super().__init__(message)


def _text(value: Any) -> str:
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


def failure_from(address: str, exc: BaseException, *, repo: str | None = None) -> Failure:
    if isinstance(exc, ApiError):
        return _api_failure(address, exc, repo=repo)
    if isinstance(exc, JobError):
        return _job_failure(address, exc, repo=repo)
    if isinstance(exc, StepError):
        return Failure(address=address, message=str(exc), recovery=exc.recovery)
    if isinstance(exc, TimeoutError):
        return Failure(
            address=address,
            message="timed out (--timeout)",
            recovery="apply again: it picks up where this run stopped",
        )
    return Failure(
        address=address,
        message=f"{type(exc).__name__}: {exc}",
        recovery="this is a bug in layers-reconcile; apply again, and report it if it repeats",
    )


def _api_failure(address: str, exc: ApiError, *, repo: str | None) -> Failure:
    return Failure(
        address=address,
        message=exc.message,
        code=shown_code(exc),
        status=exc.status,
        request_id=exc.request_id,
        recovery=_api_recovery(exc, repo=repo),
        retryable=is_transient(exc),
    )


# How apply frames the advice for a request that failed (the guide's recoveries stand alone).
_HAPPENED = {
    "slow_down": "the API kept answering 429; ",
    "reach": "the API could not be reached; ",
    "api_side": "the API failed; ",
}


def _api_recovery(exc: ApiError, *, repo: str | None) -> str | None:
    """The advice for the failed call (`advice.advice_for`), in apply's words."""
    advice = advice_for(exc, command="apply", repo=repo)
    if advice is None:
        return None
    if advice.kind in _HAPPENED or advice.kind == "flaky":
        if exc.attempts and len(exc.attempts) > 1:
            return f"after {exc.attempts}: {sentence(advice.text)}"
        return _HAPPENED.get(advice.kind, "") + advice.text
    return advice.text


def _job_failure(address: str, exc: JobError, *, repo: str | None) -> Failure:
    code = exc.code
    blob = " ".join([code or "", str(exc), _text(exc.error)])
    recovery: str | None
    if isinstance(exc, JobTimeoutError):
        recovery = (
            "the job is still running; apply again later and it waits on the same job "
            "(or raise --timeout)"
        )
    else:
        recovery = recovery_for(code, blob, repo=repo)
    return Failure(
        address=address,
        message=str(exc),
        code=code,
        request_id=exc.request_id,
        recovery=recovery,
        job_id=exc.job_id,
    )


__all__ = [
    "GRANT_REPO",
    "REINSTALL",
    "SET_PLATFORMS",
    "UNKNOWN_INSTALLATION",
    "JobFailedError",
    "StepError",
    "failure_from",
    "is_transient",
    "recovery_for",
]
