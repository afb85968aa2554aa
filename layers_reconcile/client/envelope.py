"""The API's error envelope mapped onto the reconciler's error tree, once, with the key redacted.

Every 4xx/5xx body is `{"error": {"code", "message", "requestId", "details"}}`; a body that is not
(an HTML page from a proxy, an empty 502) still maps by status, never crashes.
"""

from __future__ import annotations

import email.utils
import json
import math
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from layers_reconcile.client.decoding import TooDeep, decode_json
from layers_reconcile.client.redaction import REDACTED, Redactor, secret_part
from layers_reconcile.errors import (
    ApiClientError,
    ApiError,
    ApiServerError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    UnexpectedAnswerError,
    ValidationError,
)
from layers_reconcile.printable import printable

__all__ = [
    "REDACTED",
    "Redactor",
    "clean_api_key",
    "error_from_response",
    "parse_retry_after",
    "secret_part",
]

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


def _shown(redactor: Redactor, value: Any) -> str:
    """A field of an answer as it may be shown: the key redacted, then made printable."""
    return printable(redactor.text(str(value)))


def _shown_value(redactor: Redactor, value: Any) -> Any:
    """Every string of a decoded JSON value (keys too) as `_shown` makes it."""
    if isinstance(value, str):
        return _shown(redactor, value)
    if isinstance(value, dict):
        return {_shown(redactor, k): _shown_value(redactor, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown_value(redactor, v) for v in value]
    return value


def clean_api_key(raw: str) -> str:
    """The key without the surrounding whitespace a file or a secret store often leaves.

    ValueError (whose text shows no part of the key) when nothing is left or when a space,
    line break or other control character is inside it.
    """
    key = raw.strip()
    if not key:
        raise ValueError("the API key is empty")
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in key):
        raise ValueError(
            "the API key has a space, line break or other control character inside it (the "
            "key is not shown); copy the key again, as one line"
        )
    return key


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
    """The one place an HTTP error answer becomes an exception of `layers_reconcile.errors`.

    Every field taken from the answer (code, message, details, requestId, headers) is redacted
    (see `redaction.py`) and made printable before it is kept."""
    request_id = headers.get("x-request-id")
    fields: dict[str, Any] = {"status": status, "method": method, "path": _shown(redactor, path)}
    try:
        envelope = decode_json(body) if body.strip() else None
    except TooDeep as exc:
        rid = _shown(redactor, request_id) if request_id else None
        return UnexpectedAnswerError(f"HTTP {status}: {exc}", request_id=rid, **fields)
    except ValueError:
        envelope = None
    error = envelope.get("error") if isinstance(envelope, dict) else None
    code: str | None = None
    details: dict[str, Any] = {}
    if isinstance(error, dict):
        error = _shown_value(redactor, error)
        code = error["code"] if isinstance(error.get("code"), str) else None
        message = str(error.get("message") or code or f"HTTP {status}")
        request_id = error.get("requestId") or request_id
        if isinstance(error.get("details"), dict):
            details = error["details"]
    elif envelope is not None:  # JSON, but not the envelope: show it decoded (and redacted)
        shown = json.dumps(redactor.value(envelope), ensure_ascii=False)
        message = f"HTTP {status} without the error envelope: {_snippet(shown.encode())!r}"
    elif body:
        message = f"HTTP {status} without the error envelope: {_snippet(body)!r}"
    else:
        message = f"HTTP {status} with an empty body"

    fields["code"] = code
    fields["request_id"] = _shown(redactor, request_id) if request_id else None
    fields["details"] = details
    message = _shown(redactor, message)
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
