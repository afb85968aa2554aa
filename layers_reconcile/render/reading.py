"""How far a plan has read actual state, on stderr, so a long plan (and apply's planning) is
never a frozen prompt or a silent CI log:

    with ReadingProgress(errors, clock=runtime.clock) as progress:
        plan = await make_plan(..., observer=progress)

On a terminal: one transient line, `Reading actual state 312/1,000 customers · 17s · ~36s
left`, from the first second on (a quicker plan shows none), redrawn by rich's own timer (a
customer planned only moves a counter) and erased when the plan is done or interrupted, so
what follows is printed exactly as without it. Elsewhere (CI, a pipe, a test): plain lines,
and only for a long read: none in the first FIRST_PLAIN_AFTER seconds (a short plan, every
test, the demo: no line at all), then at most one every PLAIN_EVERY seconds, and a last one
when the reading is done. By time rather than at
each quarter: a quarter of a 50-minute plan is 12 silent minutes, and of a 20-second one three
lines of noise; one line every 30 s (apply's plain heartbeat) bounds both. Times are read from
the command's clock (`Runtime.clock`), so tests move it without waiting.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.text import Text

from layers_reconcile.durations import format_duration
from layers_reconcile.plan.model import CustomerPlan
from layers_reconcile.render.live import LiveView

FIRST_PLAIN_AFTER = 10.0  # seconds before the first plain line: a short plan prints none
PLAIN_EVERY = 30.0  # at most one plain line in this many seconds
ESTIMATE_AFTER = 5  # customers planned before the time left is guessed
LIVE_REFRESH = 4  # redraws of the terminal line a second (rich's timer, not one per customer)
LIVE_AFTER = 1.0  # seconds before the terminal line shows: a quick plan looks as it always did


def time_left(
    done: int, total: int, reading_for: float, latest_for: float | None = None
) -> float | None:
    """Seconds still to read at the pace so far (`reading_for` seconds since the customers' reads
    began), once ESTIMATE_AFTER customers are done; None before, and when all are.

    `latest_for`: the seconds the latest `recent(done)` customers took (from the one done just
    before them until now). When they went slower than the whole reading did, their pace is the
    one that lasts: a rate tier lets the first customers through in a burst and paces the rest,
    and the whole reading's pace then says "~8s left" for half a minute."""
    if done < ESTIMATE_AFTER or done >= total or reading_for <= 0:
        return None
    pace = reading_for / done
    if latest_for is not None:
        pace = max(pace, latest_for / recent(done))
    return (total - done) * pace


def recent(done: int) -> int:
    """How many of the latest customers done give the recent pace: a quarter of those done, and
    never fewer than ESTIMATE_AFTER (a handful finishes together)."""
    return min(done, max(ESTIMATE_AFTER, done // 4))


def _elapsed(seconds: float) -> str:
    return format_duration(math.floor(max(seconds, 0.0)))


def _left(seconds: float) -> str:
    return f"~{format_duration(math.ceil(seconds))} left"


def live_text(
    done: int, total: int | None, elapsed: float, left: float | None, width: int | None = None
) -> str:
    """The terminal's line: `Reading actual state 312/1,000 customers · 17s · ~36s left`
    (before the customers are counted: `Reading actual state · 2s`). Wider than `width`
    (a narrow terminal): `Reading 312/1,000 · 17s · ~36s left`, so the times stay in view."""
    parts = ["Reading actual state"]
    if total is not None:
        parts[0] += f" {done:,}/{total:,} customer{'s' if total != 1 else ''}"
    parts.append(_elapsed(elapsed))
    if left is not None:
        parts.append(_left(left))
    line = " · ".join(parts)
    if width is not None and len(line) > width:
        parts[0] = "Reading" if total is None else f"Reading {done:,}/{total:,}"
        line = " · ".join(parts)
    return line


def plain_text(done: int, total: int, elapsed: float, left: float | None) -> str:
    """A CI log's line: `reading actual state: 312 of 1,000 customers (31%), 17s, ~36s left`
    (the percent rounded down: 100% only when every customer is read)."""
    percent = done * 100 // total if total else 100
    noun = "customer" if total == 1 else "customers"
    line = f"reading actual state: {done:,} of {total:,} {noun} ({percent}%), {_elapsed(elapsed)}"
    return line if left is None else f"{line}, {_left(left)}"


class PlainSchedule:
    """Which ticks print a plain line: the first at FIRST_PLAIN_AFTER seconds or later, then
    none until PLAIN_EVERY seconds after the last; and the tick that finishes the reading, when
    a line was printed before it (so a log that said "970 of 1,000" also says it finished)."""

    def __init__(self, first_after: float = FIRST_PLAIN_AFTER, every: float = PLAIN_EVERY) -> None:
        self.every = every
        self._next = first_after
        self.printed = False

    def due(self, elapsed: float, *, finished: bool = False) -> bool:
        if elapsed >= self._next or (finished and self.printed):
            self._next = elapsed + self.every
            self.printed = True
            return True
        return False


class ReadingProgress(LiveView):
    """A `plan.progress.PlanObserver` that shows the reading on `console` (stderr): live when
    it is a terminal, else throttled plain lines (`live` overrides the choice)."""

    def __init__(
        self, console: Console, *, clock: Callable[[], float], live: bool | None = None
    ) -> None:
        self.console = console
        self._clock = clock
        self.live_mode = on_terminal(console) if live is None else live
        self._started = clock()
        self._reading_since = self._started
        self.total: int | None = None
        self.done = 0
        self._done_at: list[float] = []  # when each customer was done (the recent pace)
        self._schedule = PlainSchedule()
        self._live: Live | None = None

    def _live_display(self) -> Live:
        return Live(
            self,
            console=self.console,
            refresh_per_second=LIVE_REFRESH,
            transient=True,
            redirect_stdout=False,  # stdout holds the plan: never touched
        )

    # -- PlanObserver ----------------------------------------------------------------------

    def reading(self, total: int) -> None:
        self.total, self.done = total, 0
        self._reading_since = self._clock()
        self._done_at = []
        self._tick()

    def planned(self, customer: CustomerPlan) -> None:
        self.done += 1
        self._done_at.append(self._clock())
        self._tick()

    def _tick(self) -> None:
        if self.live_mode or not self.total:
            return  # the terminal's line is redrawn by rich's timer
        now = self._clock()
        if self._schedule.due(now - self._started, finished=self.done >= self.total):
            self.console.print(Text(self.line(now), style="dim"), soft_wrap=True)

    # -- what is shown ---------------------------------------------------------------------

    def line(self, now: float | None = None, width: int | None = None) -> str:
        now = self._clock() if now is None else now
        elapsed = now - self._started
        if self.total is None:
            return live_text(0, None, elapsed, None, width)
        left = time_left(self.done, self.total, now - self._reading_since, self._latest_for(now))
        if self.live_mode:
            return live_text(self.done, self.total, elapsed, left, width)
        return plain_text(self.done, self.total, elapsed, left)

    def _latest_for(self, now: float) -> float | None:
        """Seconds the latest `recent(done)` customers took, until `now`."""
        if self.done < ESTIMATE_AFTER or len(self._done_at) != self.done:
            return None
        before = self.done - recent(self.done) - 1  # the customer done just before them
        return now - (self._done_at[before] if before >= 0 else self._reading_since)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        now = self._clock()
        if now - self._started >= LIVE_AFTER:  # before: nothing drawn, nothing to erase
            line = self.line(now, options.max_width)
            yield Text(line, style="dim", no_wrap=True, overflow="ellipsis")


def on_terminal(console: Console) -> bool:
    """A terminal a line can be redrawn on: rich says so and the stream is a TTY (FORCE_COLOR
    in a CI log makes rich say so of a file, which gets plain lines, coloured)."""
    if not console.is_terminal or console.is_dumb_terminal:
        return False
    isatty = getattr(console.file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
