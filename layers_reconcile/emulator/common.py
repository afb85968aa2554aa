"""Small shared helpers: JSON aliases, ids, timestamps and stable hashes."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

JSON = dict[str, Any]
T = TypeVar("T")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_uuid() -> str:
    return str(uuid.uuid4())


def parse_uuid(raw: object, prefix: str = "") -> str | None:
    """A bare lower-case uuid from `prefix_<uuid>` or `<uuid>`; None when malformed."""
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if prefix and value.startswith(prefix + "_"):
        value = value[len(prefix) + 1 :]
    if _UUID.match(value):
        return value.lower()
    return None


def pid(prefix: str, bare: str) -> str:
    return f"{prefix}_{bare}" if prefix else bare


def derived_uuid(base: str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(base), name))


def iso(ts: float) -> str:
    """`2026-04-18T17:22:14.312Z`."""
    dt = datetime.fromtimestamp(round(ts, 3), UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_instant(ts: float) -> str:
    """An instant as a caller wrote it: seconds, with milliseconds only when present."""
    dt = datetime.fromtimestamp(round(ts, 3), UTC)
    if dt.microsecond // 1000 == 0:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso(ts)


def parse_instant(raw: object) -> float | None:
    """Seconds since the epoch from an ISO-8601 string with an offset; None otherwise."""
    if not isinstance(raw, str) or "T" not in raw:
        return None
    try:
        dt = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    try:
        dt.astimezone(UTC)  # in UTC it must still be a datetime (years 1-9999): it is echoed back
    except (OverflowError, ValueError):
        return None
    return dt.timestamp()


MAX_DURATION = 100 * 366 * 86400  # a century: longer is a typo, and far past the clock's range
DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(raw: object) -> float | None:
    """Seconds of an ISO-8601 duration like `PT24H`, `P7D`, `PT30M`; None when malformed."""
    if not isinstance(raw, str):
        return None
    match = DURATION.match(raw)
    if match is None or raw in ("P", "PT") or raw.endswith("T"):
        return None
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    return float(total) if total <= MAX_DURATION else None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(canonical(p) for p in parts).encode()).hexdigest()


def stable_int(*parts: object) -> int:
    return int(digest(*parts)[:15], 16)


def pick(options: Sequence[T], *parts: object) -> T:
    return options[stable_int(*parts) % len(options)]


def ulid(ts: float) -> str:
    """A 26-character, time-ordered Crockford base32 token."""
    value = (int(ts * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def request_id(ts: float) -> str:
    return "req_" + ulid(ts)
