"""HTTP vocabulary shared by every route: the error envelope, replies, validation, pagination."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from layers_reconcile.emulator.common import JSON

T = TypeVar("T")


class ApiError(Exception):
    """An error answered with the envelope `{error: {code, message, requestId, details}}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: JSON | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def envelope(code: str, message: str, request_id: str, details: JSON | None = None) -> JSON:
    return {
        "error": {
            "code": code,
            "message": message,
            "requestId": request_id,
            "details": details or {},
        }
    }


def not_found(resource: str, ident: str) -> ApiError:
    return ApiError(
        404, "NOT_FOUND", f"{resource} {ident} not found", {"resource": resource, "id": ident}
    )


def conflict(message: str, **details: Any) -> ApiError:
    return ApiError(409, "CONFLICT", message, details)


def idempotency_conflict(idem: str) -> ApiError:
    """The Idempotency-Key was used before with another body."""
    return ApiError(
        409,
        "IDEMPOTENCY_CONFLICT",
        "This Idempotency-Key was used with a different request body.",
        {"idempotencyKey": idem},
    )


def invalid(path: str, message: str, status: int = 422, **details: Any) -> ApiError:
    issues = [{"path": path, "message": message}]
    return ApiError(
        status, "VALIDATION", f"{path or 'body'}: {message}", {"issues": issues, **details}
    )


def _encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> tuple[Any, ...]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise invalid("cursor", "is not a cursor this list returned") from None
    if not isinstance(value, list):
        raise invalid("cursor", "is not a cursor this list returned")
    return tuple(value)


def paginate(
    items: Sequence[T],
    sort_key: Callable[[T], tuple[Any, ...]],
    cursor: str | None,
    limit: int,
) -> tuple[list[T], str | None]:
    """One page of `items` in ascending `sort_key` order, and the cursor of the next page."""
    ordered = sorted(items, key=sort_key)
    keys = [sort_key(item) for item in ordered]
    start = 0
    if cursor:
        after = _decode_cursor(cursor)
        try:
            start = bisect.bisect_right(keys, after)
        except TypeError:
            raise invalid("cursor", "is not a cursor this list returned") from None
    page = ordered[start : start + limit]
    more = start + limit < len(ordered)
    return page, (_encode_cursor(keys[start + limit - 1]) if more and page else None)


def listing(items: list[JSON], next_cursor: str | None) -> JSON:
    return {"items": items, "nextCursor": next_cursor}
