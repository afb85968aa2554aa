"""The API's error envelope mapped onto the reconciler's error tree, once, with the key redacted.

Every 4xx/5xx body is `{"error": {"code", "message", "requestId", "details"}}`; a body that is not
(an HTML page from a proxy, an empty 502) still maps by status, never crashes.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import unicodedata
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


_RUN = 8  # no output carries this many consecutive characters of the key's secret part
_KEY_PARTS = re.compile(r"lp_(?:live|test)_[^_]+_(?P<secret>.{8,})", re.DOTALL)


def secret_part(api_key: str) -> str:
    """The part of the key that must never be shown: after `lp_<env>_<keyId>_` (the key id is
    public and log-safe), else the whole key (a key of another form is opaque)."""
    found = _KEY_PARTS.fullmatch(api_key)
    return found.group("secret") if found else api_key


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


class Redactor:
    """Replaces the API key wherever it could leak into text we keep: the whole key, and any
    run of 8 or more consecutive characters of its secret part (a server may echo a prefix)."""

    __slots__ = ("_grams", "_secret")

    def __init__(self, secret: str) -> None:
        # Closures rather than the strings themselves, so walking attributes never finds them.
        part = secret_part(secret)
        grams = frozenset(part[i : i + _RUN] for i in range(len(part) - _RUN + 1))
        raw_grams = tuple(g.encode() for g in grams)
        self._secret: Callable[[], str] = lambda: secret
        self._grams: Callable[[], tuple[frozenset[str], tuple[bytes, ...]]] = lambda: (
            grams,
            raw_grams,
        )

    def __repr__(self) -> str:
        return "Redactor(***)"

    def found_in(self, raw: bytes) -> bool:
        """Whether `raw` (an answer's bytes) holds any run of the key: then redact what it says."""
        secret = self._secret()
        return any(g in raw for g in self._grams()[1]) or (bool(secret) and secret.encode() in raw)

    def text(self, value: str) -> str:
        secret = self._secret()
        if secret and secret in value:
            value = value.replace(secret, REDACTED)
        grams = self._grams()[0]
        if not grams or len(value) < _RUN:
            return value
        spans: list[list[int]] = []
        for start in range(len(value) - _RUN + 1):
            if value[start : start + _RUN] in grams:
                end = start + _RUN
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
        if not spans:
            return value
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            pieces += [value[last:start], REDACTED]
            last = end
        pieces.append(value[last:])
        return "".join(pieces)

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
