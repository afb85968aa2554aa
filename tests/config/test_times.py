from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from layers_reconcile.config.times import InvalidTimeError, parse_at, resolve_at


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        ("2027-03-01T22:00:00Z", None, datetime(2027, 3, 1, 22, 0, tzinfo=UTC)),
        ("2027-03-01T22:00:00Z", "Europe/Berlin", datetime(2027, 3, 1, 22, 0, tzinfo=UTC)),
        ("2027-03-01T22:00:00+02:00", "America/Los_Angeles", datetime(2027, 3, 1, 20, tzinfo=UTC)),
        ("2027-03-01T14:00", "America/Los_Angeles", datetime(2027, 3, 1, 22, 0, tzinfo=UTC)),
        ("2027-03-01T14:00", None, datetime(2027, 3, 1, 14, 0, tzinfo=UTC)),
        # Berlin: winter time on 27 March, summer time from 28 March 2027.
        ("2027-03-27T07:30:00", "Europe/Berlin", datetime(2027, 3, 27, 6, 30, tzinfo=UTC)),
        ("2027-03-29T07:30:00", "Europe/Berlin", datetime(2027, 3, 29, 5, 30, tzinfo=UTC)),
        ("2027-03-28T03:00", "Europe/Berlin", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        ("2027-10-31T02:30+01:00", "Europe/Berlin", datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
        ("2027-03-01 14:00:00.250", "UTC", datetime(2027, 3, 1, 14, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_resolve_at(at: str, tz: str | None, expected: datetime) -> None:
    resolved = resolve_at(at, tz)
    assert resolved == expected
    assert resolved.tzinfo is UTC


def test_resolve_at_accepts_a_datetime() -> None:
    aware = datetime(2027, 3, 1, 14, tzinfo=timezone(timedelta(hours=-8)))
    assert resolve_at(aware, None) == datetime(2027, 3, 1, 22, tzinfo=UTC)
    assert resolve_at(datetime(2027, 7, 1, 12), "Europe/Berlin") == datetime(
        2027, 7, 1, 10, tzinfo=UTC
    )


def test_a_time_in_the_spring_forward_gap_is_refused() -> None:
    with pytest.raises(InvalidTimeError, match=r"does not exist in Europe/Berlin"):
        resolve_at("2027-03-28T02:30:00", "Europe/Berlin")
    with pytest.raises(InvalidTimeError, match=r"does not exist in America/Los_Angeles"):
        resolve_at("2027-03-14T02:15", "America/Los_Angeles")


def test_a_time_in_the_fall_back_overlap_is_refused_with_both_offsets() -> None:
    with pytest.raises(InvalidTimeError) as caught:
        resolve_at("2027-11-07T01:30", "America/Los_Angeles")
    message = str(caught.value)
    assert "happens twice" in message
    assert "2027-11-07T01:30-07:00" in message
    assert "2027-11-07T01:30-08:00" in message


@pytest.mark.parametrize(
    "at", ["2027-03-01", "tomorrow", "2027-13-01T10:00", "2027-02-30T10:00", "2027-W09-1T10:00", ""]
)
def test_malformed_times_are_refused(at: str) -> None:
    with pytest.raises(InvalidTimeError):
        parse_at(at)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidTimeError, match="unknown time zone"):
        resolve_at("2027-03-01T10:00", "Mars/Olympus_Mons")


def test_instants_people_read_are_shown_to_the_second() -> None:
    from layers_reconcile.config.times import instant_text

    assert instant_text("2026-11-30T12:40:59.210595Z", None) == "2026-11-30T12:40:59Z"
    assert instant_text("2027-04-05T17:00:03.642Z", "Europe/Berlin") == (
        "2027-04-05T17:00:03Z (19:00 Europe/Berlin)"
    )
