"""Schedule times: ISO-8601 with an offset, or a local wall-clock time in the project's zone.

A local time is converted with `zoneinfo`, so daylight saving is honoured; a wall-clock time that
does not exist (the spring-forward gap) or happens twice (the fall-back overlap) is refused with a
message that says what to write instead, never silently shifted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from layers_reconcile.config.fieldtypes import AT_PATTERN
from layers_reconcile.config.zones import is_timezone
from layers_reconcile.instants import iso_instant, parse_instant

_AT = re.compile(AT_PATTERN)


class InvalidTimeError(ValueError):
    """A schedule time that cannot be turned into one instant."""


def resolve_at(at: str | datetime, tz: str | None) -> datetime:
    """The instant `at` denotes, as an aware UTC datetime.

    `at` carries an offset (`Z`, `+02:00`) or is a wall-clock time read in `tz` (UTC when None).
    """
    local = at if isinstance(at, datetime) else parse_at(at)
    try:
        if local.tzinfo is not None:
            return local.astimezone(UTC)
        zone_name = tz or "UTC"
        if not is_timezone(zone_name):
            raise InvalidTimeError(f"unknown time zone '{zone_name}'")
        return _localize(local, zone_name).astimezone(UTC)
    except OverflowError:
        # The instant falls before year 1 or after year 9999 once moved to UTC.
        shown = at if isinstance(at, str) else at.isoformat()
        raise InvalidTimeError(
            f"'{shown}' is at the edge of the calendar: in UTC it falls outside years 1 to 9999; "
            "pick a real publishing date"
        ) from None


def parse_at(text: str) -> datetime:
    """Parse the ISO-8601 text of a schedule time; naive when it has no offset."""
    if not _AT.match(text):
        raise InvalidTimeError(
            f"'{text}' is not a date and time; write it as 2027-03-01T22:00:00Z "
            "(or without the offset to read it in project.timezone)"
        )
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError as exc:
        raise InvalidTimeError(f"'{text}' is not a valid date and time: {exc}") from None


def _localize(naive: datetime, zone_name: str) -> datetime:
    zone = ZoneInfo(zone_name)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    shown = naive.isoformat(timespec="minutes" if naive.second == 0 else "seconds")
    if _wall_clock(first) != naive:
        raise InvalidTimeError(
            f"{shown} does not exist in {zone_name}: the clocks skip ahead that night "
            f"(UTC{_fmt(_offset(first))} to UTC{_fmt(_offset(second))}); pick a time outside "
            "the gap"
        )
    if first.utcoffset() != second.utcoffset():
        raise InvalidTimeError(
            f"{shown} happens twice in {zone_name}: the clocks fall back that night; write the "
            f"offset, {shown}{_fmt(_offset(first))} for the first or "
            f"{shown}{_fmt(_offset(second))} for the second"
        )
    return first


def _wall_clock(aware: datetime) -> datetime:
    zone = aware.tzinfo
    assert zone is not None
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)


def _offset(aware: datetime) -> timedelta:
    offset = aware.utcoffset()
    assert offset is not None
    return offset


def _fmt(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def instant_text(when: datetime | str, tz: str | None) -> str:
    """An instant as UTC ISO with the project's wall-clock time beside it:
    `2027-04-05T17:00:00Z (19:00 Europe/Berlin)`; the local date is added when it differs from the
    UTC date. A value that is not an instant is returned as it is; UTC (or no zone) shows alone."""
    if isinstance(when, str):
        parsed = parse_instant(when)
        if parsed is None or parsed.tzinfo is None:
            return when
        when = parsed
    text = iso_instant(when.replace(microsecond=0))  # to the second: people read it
    if not tz or tz in ("UTC", "Etc/UTC") or not is_timezone(tz):
        return text
    local = when.astimezone(ZoneInfo(tz))
    clock = local.strftime("%H:%M")
    if local.date() != when.astimezone(UTC).date():
        clock = local.strftime("%Y-%m-%d %H:%M")
    return f"{text} ({clock} {tz})"
