"""Turn what went wrong into a Failure: the API's code and requestId, and the guide's recovery
(the advice itself is `layers_reconcile.guidance`)."""

from __future__ import annotations

import json
from typing import Any

from layers_reconcile.apply.events import Failure
from layers_reconcile.client.retrying import retry_advice
from layers_reconcile.errors import (
    ApiError,
    AuthError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    RateLimitedError,
    ReconcileError,
    is_transient,
)
from layers_reconcile.guidance import (
    API_SIDE,
    CHECK_REACH,
    GRANT_REPO,
    REINSTALL,
    SET_PLATFORMS,
    SLOW_DOWN,
    UNKNOWN_INSTALLATION,
    missing_scope,
    recovery_for,
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
        code=exc.code,
        status=exc.status,
        request_id=exc.request_id,
        recovery=_api_recovery(exc, repo=repo),
        retryable=is_transient(exc),
    )


def _api_recovery(exc: ApiError, *, repo: str | None) -> str | None:
    """The guide's recovery for the API's code, else one for how the API failed."""
    blob = " ".join([exc.code or "", exc.message, _text(exc.details)])
    recovery = recovery_for(exc.code, blob, repo=repo)
    if exc.code == "FORBIDDEN_SCOPE" and exc.required_scopes:
        recovery = missing_scope(list(exc.required_scopes), "apply")
    if recovery is None and is_transient(exc) and exc.attempts and len(exc.attempts) > 1:
        recovery = f"after {exc.attempts}: {retry_advice(exc)}"
    if recovery is None and isinstance(exc, RateLimitedError):
        recovery = "the API kept answering 429; " + SLOW_DOWN
    if recovery is None and isinstance(exc, AuthError):
        recovery = recovery_for("UNAUTHENTICATED", blob)
    if recovery is None and exc.status is not None and exc.status >= 500:
        recovery = "the API failed; " + API_SIDE
    if recovery is None and exc.status is None:
        recovery = "the API could not be reached; " + CHECK_REACH
    return recovery


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
