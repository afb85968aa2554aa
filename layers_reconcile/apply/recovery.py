"""Turn what went wrong into a Failure: the API's code and requestId, and the guide's recovery."""

from __future__ import annotations

import json
from typing import Any

from layers_reconcile.apply.events import Failure
from layers_reconcile.errors import (
    ApiError,
    ApiServerError,
    AuthError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    RateLimitedError,
    ReconcileError,
    TransportError,
)

REINSTALL = (
    "the GitHub installation registered for this project does not cover the repo's org: "
    "re-register the installation of that org (set github.installationId to it, or remove "
    "installationId to get an install URL), then apply again"
)
GRANT_REPO = (
    "the repo is private and the installation does not cover it: ask the customer to grant the "
    "Layers GitHub App access to {repo} in GitHub, then apply again"
)
UNKNOWN_INSTALLATION = (
    "check github.installationId: the installation does not exist or was uninstalled; remove "
    "it to get an install URL"
)
SET_PLATFORMS = (
    "no supported platform was found in the repo and no pull request was opened: set "
    "github.platforms to the repo's stack (e.g. [ios, web]), then apply again"
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


def recovery_for(code: str | None, blob: str, *, repo: str | None = None) -> str | None:
    """The guide's recovery for an error code (and whatever details came with it)."""
    if "installation_not_found" in blob or code == "installation_not_found":
        return REINSTALL
    if code == "SDK_PATCH_GENERATION_FAILED" or "SDK_PATCH_GENERATION_FAILED" in blob:
        return SET_PLATFORMS
    if (code == "VALIDATION" or "VALIDATION" in blob) and "repoFullName" in blob:
        return GRANT_REPO.format(repo=repo or "the repo")
    if (code == "VALIDATION" or "VALIDATION" in blob) and "installationId" in blob:
        return UNKNOWN_INSTALLATION
    if code == "PLATFORM_ERROR":
        return REINSTALL
    if code == "RETURN_URL_NOT_ALLOWED":
        return (
            "add the returnUrl's host to the API key's allowed return domains, or change returnUrl"
        )
    if code == "APPROVAL_REQUIRED":
        return "approve the content (or set approve: true on it), then apply again"
    if code == "CONTENT_REJECTED":
        return "the content was rejected: change its brief to regenerate it"
    if code in ("UNAUTHENTICATED", "FORBIDDEN_SCOPE"):
        return "check the API key (--api-key / LAYERS_API_KEY) and its scopes"
    if code == "IDEMPOTENCY_CONFLICT":
        return "another run sent a different request under the same key; apply again"
    if code == "KILL_SWITCH":
        return "the API key or organization is suspended; contact Layers"
    return None


def is_transient(exc: BaseException) -> bool:
    """The API failed, was unreachable or asked us to slow down: trying again may well work."""
    return isinstance(exc, ApiServerError | TransportError | RateLimitedError)


def failure_from(address: str, exc: BaseException, *, repo: str | None = None) -> Failure:
    if isinstance(exc, ApiError):
        blob = " ".join([exc.code or "", exc.message, _text(exc.details)])
        recovery = recovery_for(exc.code, blob, repo=repo)
        required = exc.details.get("requiredScopes")
        if exc.code == "FORBIDDEN_SCOPE" and isinstance(required, list) and required:
            recovery = (
                f"the API key lacks the scope {' or '.join(map(str, required))} that "
                "`layers-reconcile apply` needs here; use a key with it (README: scopes)"
            )
        if recovery is None and isinstance(exc, RateLimitedError):
            recovery = "the API kept answering 429; lower --parallelism or apply again later"
        if recovery is None and isinstance(exc, AuthError):
            recovery = recovery_for("UNAUTHENTICATED", blob)
        if recovery is None and exc.status is not None and exc.status >= 500:
            recovery = "the API failed; apply again (every step is safe to repeat)"
        if recovery is None and exc.status is None:
            recovery = "the API could not be reached; apply again (every step is safe to repeat)"
        return Failure(
            address=address,
            message=exc.message,
            code=exc.code,
            status=exc.status,
            request_id=exc.request_id,
            recovery=recovery,
            retryable=is_transient(exc),
        )
    if isinstance(exc, JobError):
        error = exc.job.get("error") if isinstance(exc.job.get("error"), dict) else {}
        assert isinstance(error, dict)
        code = exc.code or error.get("code")
        request_id = error.get("requestId") or exc.job.get("requestId")
        blob = " ".join([code or "", str(exc), _text(error)])
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
            request_id=request_id if isinstance(request_id, str) else None,
            recovery=recovery,
            job_id=exc.job_id,
        )
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


__all__ = ["JobFailedError", "StepError", "failure_from", "recovery_for"]
