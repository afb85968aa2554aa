"""HTTP vocabulary shared by every route: the error envelope, replies, validation, pagination."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from layers_reconcile.emulator.common import JSON

T = TypeVar("T")
_MISSING: Any = object()


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


def invalid(path: str, message: str, status: int = 422, **details: Any) -> ApiError:
    issues = [{"path": path, "message": message}]
    return ApiError(
        status, "VALIDATION", f"{path or 'body'}: {message}", {"issues": issues, **details}
    )


class Fields:
    """Reads and checks a JSON object, collecting every issue with its path before failing."""

    def __init__(
        self,
        data: Any,
        *,
        prefix: str = "",
        issues: list[JSON] | None = None,
        status: int = 422,
    ) -> None:
        self.issues: list[JSON] = [] if issues is None else issues
        self.prefix = prefix
        self.status = status
        if data is None and not prefix:
            data = {}
        if not isinstance(data, dict):
            self.add("", "must be a JSON object")
            data = {}
        self.data: JSON = data

    def path(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def add(self, key: str, message: str) -> None:
        self.issues.append({"path": self.path(key).rstrip("."), "message": message})

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, required: bool, nullable: bool) -> Any:
        if key not in self.data:
            if required:
                self.add(key, "is required")
            return _MISSING
        value = self.data[key]
        if value is None:
            if not nullable:
                self.add(key, "must not be null")
            return _MISSING if not nullable else None
        return value

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        min_len: int = 0,
        max_len: int | None = None,
        nullable: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = self._get(key, required, nullable)
        if value is _MISSING or value is None:
            return default if value is _MISSING else None
        if not isinstance(value, str):
            self.add(key, "must be a string")
            return default
        if len(value) < min_len:
            self.add(
                key,
                "must not be empty" if min_len == 1 else f"must be at least {min_len} characters",
            )
            return default
        if max_len is not None and len(value) > max_len:
            self.add(key, f"must be at most {max_len} characters")
            return default
        return value

    def choice(
        self,
        key: str,
        options: Sequence[str],
        *,
        required: bool = False,
        nullable: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = self._get(key, required, nullable)
        if value is _MISSING or value is None:
            return default if value is _MISSING else None
        if value not in options:
            self.add(key, f"must be one of {', '.join(options)}")
            return default
        return str(value)

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        lo: int | None = None,
        hi: int | None = None,
        nullable: bool = False,
        default: int | None = None,
    ) -> int | None:
        value = self._get(key, required, nullable)
        if value is _MISSING or value is None:
            return default if value is _MISSING else None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(key, "must be an integer")
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(key, f"must be between {lo} and {hi}")
            return default
        return value

    def boolean(
        self, key: str, *, required: bool = False, default: bool | None = None
    ) -> bool | None:
        value = self._get(key, required, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.add(key, "must be a boolean")
            return default
        return value

    def strings(
        self,
        key: str,
        *,
        required: bool = False,
        options: Sequence[str] | None = None,
        min_items: int = 0,
        max_items: int | None = None,
        max_len: int | None = None,
    ) -> list[str] | None:
        value = self._get(key, required, False)
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(key, "must be an array of strings")
            return None
        if len(value) < min_items or (max_items is not None and len(value) > max_items):
            self.add(key, f"must have between {min_items} and {max_items} items")
            return None
        for i, item in enumerate(value):
            if options is not None and item not in options:
                self.add(f"{key}[{i}]", f"must be one of {', '.join(options)}")
                return None
            if max_len is not None and len(item) > max_len:
                self.add(f"{key}[{i}]", f"must be at most {max_len} characters")
                return None
        return list(value)

    def mapping(self, key: str, *, required: bool = False, nullable: bool = False) -> Fields | None:
        value = self._get(key, required, nullable)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.add(key, "must be an object")
            return None
        return Fields(value, prefix=self.path(key) + ".", issues=self.issues, status=self.status)

    def items(
        self, key: str, *, required: bool = False, lo: int = 0, hi: int | None = None
    ) -> list[Fields]:
        value = self._get(key, required, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.add(key, "must be an array")
            return []
        if len(value) < lo or (hi is not None and len(value) > hi):
            self.add(key, f"must have between {lo} and {hi} items")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.add(f"{key}[{i}]", "must be an object")
                continue
            out.append(
                Fields(
                    item, prefix=f"{self.path(key)}[{i}].", issues=self.issues, status=self.status
                )
            )
        return out

    def only(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.add(key, "is not a known field")

    def check(self) -> None:
        if self.issues:
            first = self.issues[0]
            raise ApiError(
                self.status,
                "VALIDATION",
                f"{first['path'] or 'body'}: {first['message']}",
                {"issues": list(self.issues)},
            )


def parse_limit(query: Mapping[str, str], default: int, maximum: int) -> int:
    raw = query.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid("limit", "must be an integer") from None
    if not 1 <= value <= maximum:
        raise invalid("limit", f"must be between 1 and {maximum}")
    return value


def _encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> tuple[Any, ...]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
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
