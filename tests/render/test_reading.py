"""The lines that say how far a plan has read, and which ticks of a long read print one."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from layers_reconcile.plan.model import CustomerPlan
from layers_reconcile.render.reading import (
    PlainSchedule,
    ReadingProgress,
    live_text,
    on_terminal,
    plain_text,
    time_left,
)


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def _customer(ext: str) -> CustomerPlan:
    return CustomerPlan(customer_external_id=ext, project_id=None)


def test_plain_line_of_a_thousand_customers() -> None:
    assert plain_text(312, 1000, 17.4, 36.2) == (
        "reading actual state: 312 of 1,000 customers (31%), 17s, ~37s left"
    )
    assert plain_text(999, 1000, 3059.9, 3.0) == (
        "reading actual state: 999 of 1,000 customers (99%), 50m59s, ~3s left"
    )
    assert plain_text(1000, 1000, 3062.0, None) == (
        "reading actual state: 1,000 of 1,000 customers (100%), 51m02s"
    )
    assert plain_text(0, 1, 12.0, None) == "reading actual state: 0 of 1 customer (0%), 12s"


def test_live_line_before_and_after_the_customers_are_counted() -> None:
    assert live_text(0, None, 2.9, None) == "Reading actual state · 2s"
    assert live_text(312, 1000, 17.0, 36.0) == (
        "Reading actual state 312/1,000 customers · 17s · ~36s left"
    )
    assert live_text(2, 1000, 4000.0, None) == "Reading actual state 2/1,000 customers · 1h06m"


def test_live_line_on_a_narrow_terminal_keeps_the_times() -> None:
    assert live_text(312, 1000, 17.0, 36.0, width=40) == "Reading 312/1,000 · 17s · ~36s left"
    assert live_text(0, None, 2.9, None, width=20) == "Reading · 2s"
    assert live_text(312, 1000, 17.0, 36.0, width=80) == (
        "Reading actual state 312/1,000 customers · 17s · ~36s left"
    )


def test_on_a_40_column_terminal_the_line_shows_how_long_it_has_left() -> None:
    clock = Clock()
    out = io.StringIO()
    console = Console(file=out, width=40)  # what is drawn, without its escapes
    progress = ReadingProgress(console, clock=clock, live=True)
    progress.reading(40)
    for i in range(8):
        clock.now += 0.25
        progress.planned(_customer(f"c{i}"))
    console.print(progress)
    assert out.getvalue() == "Reading 8/40 · 2s · ~8s left\n"


def test_time_left_only_once_a_few_customers_are_done() -> None:
    assert time_left(4, 1000, 12.0) is None
    assert time_left(5, 1000, 10.0) == 1990.0
    assert time_left(500, 1000, 100.0) == 100.0
    assert time_left(1000, 1000, 100.0) is None  # done: nothing left to guess
    assert time_left(10, 1000, 0.0) is None


def test_time_left_at_the_recent_pace_when_it_is_slower() -> None:
    # 20 customers in 2 s, then 10 taking 20 s: 10 more at that pace take 20 s, not 7.
    assert time_left(30, 40, 22.0, latest_for=20.0 * 7 / 10) == pytest.approx(20.0)
    # quicker lately: the whole reading's pace still counts (no "~0s left" after a burst)
    assert time_left(30, 40, 30.0, latest_for=0.5) == pytest.approx(10.0)


def test_a_paced_tier_after_its_burst_is_not_promised_to_end_soon() -> None:
    """A rate tier lets the first customers through at once and paces the rest: the line
    follows the paced customers, not the burst."""
    clock = Clock()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, no_color=True, width=100)
    progress = ReadingProgress(console, clock=clock, live=True)
    progress.reading(40)
    for i in range(20):  # the burst: 20 customers in 2 s
        clock.now += 0.1
        progress.planned(_customer(f"c{i}"))
    for i in range(20, 30):  # then one every 2 s
        clock.now += 2.0
        progress.planned(_customer(f"c{i}"))
    # 10 left at one every 2 s; the whole reading's pace (30 in 22 s) said ~8s
    assert progress.line() == "Reading actual state 30/40 customers · 22s · ~20s left"


def test_plain_schedule_first_after_10_s_then_every_30_s_and_the_end() -> None:
    schedule = PlainSchedule()
    ticks = [0.0, 3.0, 9.9, 10.0, 11.0, 39.9, 40.0, 55.0, 70.5, 71.0]
    assert [t for t in ticks if schedule.due(t)] == [10.0, 40.0, 70.5]
    assert schedule.due(72.0, finished=True)  # the last line, once a line was printed


def test_plain_schedule_says_nothing_of_a_short_read_even_at_its_end() -> None:
    schedule = PlainSchedule()
    assert not any(schedule.due(t) for t in (0.0, 2.0, 5.0, 9.0))
    assert not schedule.due(9.5, finished=True)


def _plain(clock: Clock) -> tuple[ReadingProgress, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, no_color=True, width=200)
    return ReadingProgress(console, clock=clock, live=False), out


def test_a_long_read_prints_throttled_plain_lines() -> None:
    clock = Clock()
    progress, out = _plain(clock)
    with progress:
        clock.now += 4.0  # who the key is, the projects list
        progress.reading(100)
        for i in range(100):
            clock.now += 1.0
            progress.planned(_customer(f"c{i}"))
    assert out.getvalue().splitlines() == [
        "reading actual state: 6 of 100 customers (6%), 10s, ~1m34s left",
        "reading actual state: 36 of 100 customers (36%), 40s, ~1m04s left",
        "reading actual state: 66 of 100 customers (66%), 1m10s, ~34s left",
        "reading actual state: 96 of 100 customers (96%), 1m40s, ~4s left",
        "reading actual state: 100 of 100 customers (100%), 1m44s",
    ]


def test_shared_reads_that_take_long_are_said_once_the_customers_are_counted() -> None:
    clock = Clock()
    progress, out = _plain(clock)
    clock.now += 25.0
    progress.reading(3)
    assert out.getvalue() == "reading actual state: 0 of 3 customers (0%), 25s\n"


def test_a_short_read_prints_nothing() -> None:
    clock = Clock()
    progress, out = _plain(clock)
    with progress:
        progress.reading(30)
        for i in range(30):
            clock.now += 0.3
            progress.planned(_customer(f"c{i}"))
    assert out.getvalue() == ""


def test_no_customer_to_read_prints_nothing() -> None:
    clock = Clock()
    progress, out = _plain(clock)
    clock.now += 60.0
    progress.reading(0)
    assert out.getvalue() == ""


def test_on_a_terminal_the_line_is_drawn_and_erased_at_the_end() -> None:
    clock = Clock()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, no_color=True, width=100)
    progress = ReadingProgress(console, clock=clock, live=True)
    with progress:
        progress.reading(1000)
        for i in range(312):
            clock.now += 17.0 / 312  # at an even pace
            progress.planned(_customer(f"c{i}"))
        assert progress.line() == "Reading actual state 312/1,000 customers · 17s · ~38s left"
    shown = out.getvalue()
    drawn = shown.rindex("Reading actual state 312/1,000 customers · 17s · ~38s left")
    # Then the cursor goes back up over it and the line is cleared: nothing of it stays.
    assert shown[drawn:].endswith("\x1b[1A\x1b[2K")


def test_on_a_terminal_a_quick_plan_draws_no_line() -> None:
    clock = Clock()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with ReadingProgress(console, clock=clock, live=True) as progress:
        progress.reading(3)
        for i in range(3):
            clock.now += 0.3
            progress.planned(_customer(f"c{i}"))
    assert "Reading" not in out.getvalue()
    assert "\n" not in out.getvalue()  # only cursor codes: the screen is as it was


def test_on_a_terminal_a_customer_planned_draws_nothing_itself() -> None:
    clock = Clock()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    progress = ReadingProgress(console, clock=clock, live=True)
    progress.reading(1000)  # not entered: no live display, so nothing may print
    for i in range(1000):
        progress.planned(_customer(f"c{i}"))
    assert out.getvalue() == ""


@pytest.mark.parametrize("force", [True, False])
def test_a_file_is_no_terminal_even_when_rich_is_forced_to_colour(force: bool) -> None:
    console = Console(file=io.StringIO(), force_terminal=force)
    assert not on_terminal(console)
