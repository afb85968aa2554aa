"""ISO-8601 instants as the API writes them (`2027-04-05T17:00:00Z`): one reader, one writer.

Neutral (imports nothing of the project) so the client, config, the pure diff and apply share
it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso_instant(when: datetime) -> str:
    """`when` in UTC with a `Z` (a naive datetime is taken as UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_instant(value: Any) -> datetime | None:
    """An ISO-8601 instant as the API writes it (`…Z`), or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
