"""Field paths of the plan come from deepdiff; instants are written and read by one pair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from layers_reconcile.instants import iso_instant, parse_instant
from layers_reconcile.plan.fields import changed_keys, changes


def test_a_nested_change_names_the_top_level_field_it_is_under() -> None:
    before = {"hook": "Old", "angles": ["a", "b"], "meta": {"tone": "warm"}, "n": 1}
    after = {"hook": "Old", "angles": ["a", "c"], "meta": {"tone": "dry"}, "n": 1.0}
    assert changed_keys(before, after, after) == ["angles", "meta"]  # 1 and 1.0 are one number


def test_user_metadata_shows_one_change_per_key_and_removes_what_the_file_dropped() -> None:
    found = changes(
        {"metadata": {"tier": "gold", "plan": {"seats": 5}}},
        {"metadata": {"tier": "silver", "plan": {"seats": 5}, "legacy": True}},
        expand=("metadata",),
    )
    assert [(c.field, c.before, c.after) for c in found] == [
        ("metadata.legacy", True, None),
        ("metadata.tier", "silver", "gold"),
    ]


def test_one_instant_format_in_and_out() -> None:
    berlin = timezone(timedelta(hours=2))
    assert iso_instant(datetime(2027, 4, 5, 19, tzinfo=berlin)) == "2027-04-05T17:00:00Z"
    assert parse_instant("2027-04-05T17:00:00Z") == datetime(2027, 4, 5, 17, tzinfo=UTC)
    assert parse_instant("tomorrow") is None
    assert parse_instant(None) is None
