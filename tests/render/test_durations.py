"""The two duration wordings: a measured time (`3m05s`) and a plan's estimate (`~5 min`)."""

from __future__ import annotations

from layers_reconcile.durations import (
    converge_text,
    estimate_span_text,
    estimate_text,
    format_duration,
)


def test_a_measured_time_reads_like_a_stopwatch() -> None:
    assert [format_duration(s) for s in (2.5, 45, 185, 7300)] == ["2.5s", "45s", "3m05s", "2h01m"]


def test_an_estimate_is_rounded_up_to_minutes_and_never_looks_measured() -> None:
    assert [estimate_text(s) for s in (45, 150, 330, 361)] == [
        "45 s",
        "2.5 min",
        "5.5 min",
        "7 min",
    ]
    assert estimate_span_text(300, 300) == "~5 min"
    assert estimate_span_text(30, 90) == "30–90 s"
    assert estimate_span_text(180, 300) == "3–5 min"
    assert [converge_text(s) for s in (0, 90, 361, 7500)] == [
        "no jobs",
        "~90 s",
        "~7 min",
        "~2 h 5 min",
    ]
