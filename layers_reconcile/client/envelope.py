"""The API's error envelope mapped onto the reconciler's error tree, once, with the key redacted.

Every 4xx/5xx body is `{"error": {"code", "message", "requestId", "details"}}`; a body that is not
(an HTML page from a proxy, an empty 502) still maps by status, never crashes.
"""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from layers_reconcile.errors import (
    ApiClientError,
    ApiError,
    ApiServerError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
)

REDACTED = "***"
_SNIPPET = 200

_BY_STATUS: dict[int, type[ApiClientError]] = {
    400: ValidationError,
    401: AuthError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
}
# A 403 is an authorisation failure only for these codes; APPROVAL_REQUIRED,
# RETURN_URL_NOT_ALLOWED and FORBIDDEN_FENCE are policy gates on one request.
_AUTH_403_CODES = frozenset({"FORBIDDEN_SCOPE", "UNAUTHENTICATED"})


class Redactor:
    """Replaces the API key wherever it could leak into text we keep."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        # A closure rather than the string itself, so walking attributes never finds the key.
        self._secret: Callable[[], str] = lambda: secret

    def __repr__(self) -> str:
        return "Redactor(***)"

    def text(self, value: str) -> str:
        secret = self._secret()
        if secret and secret in value:
            return value.replace(secret, REDACTED)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until_http_date(value)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until_http_date(value: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _snippet(body: bytes) -> str:
    text = " ".join(body[: _SNIPPET * 2].decode("utf-8", "replace").split())
    return text[:_SNIPPET]


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    redactor: Redactor,
) -> ApiError:
    """The one place an HTTP error answer becomes an exception of `layers_reconcile.errors`."""
    envelope = _decode(body)
    error = envelope.get("error") if isinstance(envelope, dict) else None
    code: str | None = None
    request_id = headers.get("x-request-id")
    details: dict[str, Any] = {}
    if isinstance(error, dict):
        code = error.get("code") if isinstance(error.get("code"), str) else None
        message = str(error.get("message") or code or f"HTTP {status}")
        request_id = error.get("requestId") or request_id
        if isinstance(error.get("details"), dict):
            details = redactor.value(error["details"])
    elif body:
        message = f"HTTP {status} without the error envelope: {_snippet(body)!r}"
    else:
        message = f"HTTP {status} with an empty body"

    fields: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": redactor.text(str(request_id)) if request_id else None,
        "details": details,
        "method": method,
        "path": redactor.text(path),
    }
    message = redactor.text(message)
    if status == 429:
        retry_after = parse_retry_after(headers.get("retry-after"))
        if retry_after is None:
            retry_after = _details_retry_after(details)
        return RateLimitedError(message, retry_after=retry_after, **fields)
    if status >= 500:
        return ApiServerError(message, **fields)
    if status == 403:
        cls: type[ApiError] = (
            AuthError if code in _AUTH_403_CODES or code is None else ApiClientError
        )
        return cls(message, **fields)
    if 400 <= status < 500:
        return _BY_STATUS.get(status, ApiClientError)(message, **fields)
    return ApiError(message, **fields)


def _details_retry_after(details: Mapping[str, Any]) -> float | None:
    for key in ("retryAfter", "retryAfterSeconds"):
        value = details.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return max(0.0, float(value))
    return None
