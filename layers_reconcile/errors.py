"""One exception tree for the reconciler (the emulator has its own).

    ReconcileError
    ├── ConfigError            a workspace file is wrong: carries every ConfigIssue (file, line, col)
    ├── ApiError               the Layers API answered with its error envelope, or not at all
    │   ├── TransportError     no usable answer: connection refused/reset, timeout, broken body
    │   ├── UnexpectedAnswerError  an answer of the wrong shape, or too big; never retried
    │   │   └── UnknownStatusError  a status this version does not know (a newer API): that
    │   │                           customer is not planned, the others are
    │   ├── ApiClientError     4xx: the request is wrong or not allowed; never retried (but 429)
    │   │   ├── AuthError          401 UNAUTHENTICATED, 403 FORBIDDEN_SCOPE
    │   │   ├── NotFoundError      404 NOT_FOUND
    │   │   ├── ConflictError      409 CONFLICT, IDEMPOTENCY_CONFLICT, CONTENT_REJECTED
    │   │   ├── ValidationError    400/422 VALIDATION
    │   │   └── RateLimitedError   429 RATE_LIMITED, carries retry_after
    │   └── ApiServerError     5xx
    └── JobError               a job ended badly
        ├── JobFailedError     status "failed", carries the job's error code
        └── JobTimeoutError    still running at the deadline

An ApiError raised after retries carries `attempts`: what each attempt met ("429", "500",
"dropped connection", ...), so a message can tell a run of 429s from a flaky network.
`is_transient` is the one rule of what trying again may cure.

Errors never carry the API key: the client redacts it before building them. What an error
shows (file names, messages, codes, requestIds, ids) is made printable when it is built. A saved plan that
no longer matches actual state is not an error of the run: apply refuses that customer alone
(`CustomerStatus.STALE`, with its addresses) and the others go on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from layers_reconcile.printable import printable


class ReconcileError(Exception):
    """Base of every error the reconciler raises on purpose."""


# The line and column of an issue about a path as a whole (a folder, a path that does not
# exist): it is shown as the path alone, never as if the path were a file with a line 1.
NO_LINE = 0


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one workspace file, at a 1-based line and column (or `NO_LINE`)."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __post_init__(self) -> None:
        # A file name or a quoted value with a newline or an escape sequence must not split the
        # `file:line:col` line nor act on the terminal.
        object.__setattr__(self, "file", printable(self.file))
        object.__setattr__(self, "message", printable(self.message))

    @property
    def place(self) -> tuple[str, int, int] | None:
        """(file, line, col); None for an issue about a path as a whole."""
        return None if self.line == NO_LINE else (self.file, self.line, self.col)

    @property
    def where(self) -> str:
        """`file:line:col`, or the path alone."""
        return self.file if self.line == NO_LINE else f"{self.file}:{self.line}:{self.col}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ConfigError(ReconcileError):
    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


# What an attempt met when the connection never carried the request: the server was not reached.
UNREACHED = frozenset({"could not connect", "connect timeout"})


@dataclass(frozen=True)
class Attempts:
    """What each attempt of one request met, in order: an HTTP status ("429", "500") or a
    transport failure ("could not connect", "dropped connection", "no answer in time")."""

    outcomes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.outcomes)

    def __str__(self) -> str:
        counts = Counter(self.outcomes)
        parts = ", ".join(f"{n} × {what}" for what, n in counts.most_common())
        noun = "attempt" if len(self.outcomes) == 1 else "attempts"
        return f"{len(self.outcomes)} {noun}: {parts}"

    @property
    def only_rate_limited(self) -> bool:
        return bool(self.outcomes) and all(o == "429" for o in self.outcomes)

    @property
    def never_reached(self) -> bool:
        """Every attempt failed to connect: a wrong URL or a server that is down."""
        return bool(self.outcomes) and all(o in UNREACHED for o in self.outcomes)


class ApiError(ReconcileError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        details: dict[str, Any] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.status = status
        self.code = None if code is None else printable(code)
        self.request_id = None if request_id is None else printable(request_id)
        self.details = details or {}
        # What apply acts on in `details`, read once (a value of the wrong type is absent): the
        # scopes a 403 FORBIDDEN_SCOPE names, the job a 409 says already runs (an ingest), where
        # a container stands when approving it conflicts (Rev B).
        scopes = self.details.get("requiredScopes")
        self.required_scopes = tuple(str(s) for s in scopes) if isinstance(scopes, list) else ()
        self.running_job_id = _text_of(self.details.get("jobId"))
        self.approval_status = _text_of(self.details.get("approvalStatus"))
        self.method = method
        self.path = None if path is None else printable(path)
        self.message = printable(message)
        self.attempts: Attempts | None = None  # set by the client when it gives up
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        head = f"{self.status} {self.code}: " if self.status and self.code else ""
        rid = f" (requestId {self.request_id})" if self.request_id else ""
        return f"{where}{head}{self.message}{rid}"


class TransportError(ApiError):
    pass


class UnexpectedAnswerError(ApiError):
    """The API answered, but not what the contract promises (a missing field, a body too big)."""

    def _describe(self) -> str:
        where = f" at {self.method} {self.path}" if self.method and self.path else ""
        rid = f", requestId {self.request_id}" if self.request_id else ""
        return f"the API answered an unexpected shape{where}{rid}: {self.message}"


class UnknownStatusError(UnexpectedAnswerError):
    """A status the API added after this version (`statuses.py`): not safe to act on."""

    def _describe(self) -> str:
        return self.message


class ApiClientError(ApiError):
    pass


class AuthError(ApiClientError):
    pass


class NotFoundError(ApiClientError):
    pass


class ConflictError(ApiClientError):
    pass


class ValidationError(ApiClientError):
    pass


class RateLimitedError(ApiClientError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class ApiServerError(ApiError):
    pass


def is_transient(exc: BaseException) -> bool:
    """The API failed, was unreachable or asked us to slow down: trying again may well work."""
    return isinstance(exc, ApiServerError | TransportError | RateLimitedError)


class JobError(ReconcileError):
    """A job that ended badly (or not in time). `job` is its last state as sent; read once
    here: `error` (its error object, {} without one), `code` (the caller's, else the error's)
    and `request_id` (the error's, else the job's)."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str,
        code: str | None = None,
        job: dict[str, Any] | None = None,
    ) -> None:
        self.job_id = printable(job_id)
        self.job = job or {}
        error = self.job.get("error")
        self.error: dict[str, Any] = error if isinstance(error, dict) else {}
        code = code or _text_of(self.error.get("code"))
        self.code = None if code is None else printable(code)
        found = _text_of(self.error.get("requestId")) or _text_of(self.job.get("requestId"))
        self.request_id = None if found is None else printable(found)
        super().__init__(printable(message))


def _text_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class JobFailedError(JobError):
    pass


class JobTimeoutError(JobError):
    pass


def leaf_exception(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups: a task group's failure as
    the single error callers map to a message and an exit code."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
