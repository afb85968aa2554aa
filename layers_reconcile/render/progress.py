"""Apply progress: a live table on a terminal, plain timestamped lines in CI, then a summary.

    with ProgressView(console, live=console.is_terminal) as view:
        report = await execute(..., on_event=view.handle)
    view.summary(report)

Live: one line per customer with its current step, job stage, percent, elapsed and expected
time; what a reader must act on (a URL to open, a failure) is printed above the table. Plain:
one line per event, job progress only when the stage changes or every quarter of the way, and a
heartbeat: when nothing was printed for HEARTBEAT_EVERY seconds, `heartbeat()` (called about once
a second while apply runs) prints what is still being waited on — a job with its stage, percent,
elapsed and expected time, a person — so a CI log never goes silent for minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from layers_reconcile.apply.events import (
    ApplyEvent,
    ApplyReport,
    CustomerFinished,
    CustomerOutcome,
    CustomerStarted,
    CustomerStatus,
    Failure,
    JobProgress,
    PersonDone,
    PostStatus,
    StepFailed,
    StepFinished,
    StepStarted,
    WaitingOnPerson,
)
from layers_reconcile.config.times import instant_text
from layers_reconcile.durations import format_duration
from layers_reconcile.printable import printable_value
from layers_reconcile.render.live import LiveView
from layers_reconcile.render.report import held_orphans_sentence, unchanged_sentence

ICON = {
    CustomerStatus.CONVERGED: ("✓", "green"),
    CustomerStatus.WAITING: ("…", "magenta"),
    CustomerStatus.FAILED: ("✗", "red"),
    CustomerStatus.STALE: ("✗", "red"),
    CustomerStatus.NOT_REVIEWED: ("✗", "red"),
}
PLAIN_JOB_EVERY = 25.0  # percent between two plain progress lines of one job
HEARTBEAT_EVERY = 30.0  # seconds of silence after which plain mode says what it waits on


@dataclass
class _Row:
    customer: str
    step: str = "starting"
    stage: str | None = None
    percent: float | None = None
    job_started: float | None = None
    job_address: str | None = None
    expected: float | None = None
    status: CustomerStatus | None = None
    note: str = ""
    people: dict[str, str] = field(default_factory=dict)  # open person gates: address -> kind


class ProgressView(LiveView):
    def __init__(
        self,
        console: Console,
        *,
        live: bool | None = None,
        verbose: int = 0,
        clock: Callable[[], float] = time.monotonic,
        heartbeat_every: float = HEARTBEAT_EVERY,
    ) -> None:
        self.console = console
        self.live_mode = console.is_terminal if live is None else live
        self.verbose = verbose
        self._clock = clock
        self.heartbeat_every = heartbeat_every
        self._last_output = clock()
        self._rows: dict[str, _Row] = {}
        self._live: Live | None = None
        self._last_plain: dict[tuple[str, str], tuple[str | None, float]] = {}

    # -- lifecycle -------------------------------------------------------------------------

    def _live_display(self) -> Live:
        return Live(self._table(), console=self.console, refresh_per_second=4, transient=True)

    # -- events ----------------------------------------------------------------------------

    def handle(self, event: ApplyEvent) -> None:
        event = printable_value(event)
        if isinstance(event, CustomerStarted):
            self._rows[event.customer] = _Row(event.customer)
            self._line(event.customer, "started", style="dim", verbose_only=True)
        elif isinstance(event, StepStarted):
            row = self._row(event.customer)
            row.step, row.stage, row.percent, row.job_started = (
                f"{_short(event.customer, event.address)} {event.action}",
                None,
                None,
                None,
            )
            self._line(event.customer, f"{event.address}: {event.action} …", style="dim")
        elif isinstance(event, StepFinished):
            row = self._row(event.customer)
            row.stage, row.percent, row.job_started = None, None, None
            row.job_address = None
            row.people.pop(event.address, None)
            detail = f" — {event.detail}" if event.detail else ""
            self._line(event.customer, f"{event.address}: {event.action} done{detail}")
        elif isinstance(event, JobProgress):
            self._job(event)
        elif isinstance(event, WaitingOnPerson):
            wait = event.wait
            row = self._row(event.customer)
            row.people[wait.address] = wait.kind
            row.step = f"{_short(event.customer, wait.address)} waiting on a person"
            url = f"\n    open: {wait.url}" if wait.url else ""
            if wait.url and wait.expires_at:
                url += f" (valid until {instant_text(wait.expires_at, None)})"
            self._line(
                event.customer,
                f"{wait.address}: waiting on a person — {wait.message}{url}",
                style="magenta",
                always=True,
            )
        elif isinstance(event, PersonDone):
            self._row(event.customer).people.pop(event.address, None)
            self._line(event.customer, f"{event.address}: {event.detail or 'done'}", style="green")
        elif isinstance(event, PostStatus):
            extra = f" {event.url}" if event.url else ""
            extra += f" ({event.error})" if event.error else ""
            style = "red" if event.status == "failed" else "green"
            self._line(event.customer, f"{event.address}: post {event.status}{extra}", style=style)
        elif isinstance(event, StepFailed):
            self._line(event.customer, failure_text(event.failure), style="red", always=True)
        elif isinstance(event, CustomerFinished):
            outcome = event.outcome
            row = self._row(outcome.customer)
            row.status, row.step, row.stage, row.percent = outcome.status, "", None, None
            row.note = outcome_note(outcome)
            self._line(outcome.customer, row.note, style=ICON[outcome.status][1])
        if self._live is not None:
            self._live.update(self._table())

    def _row(self, customer: str) -> _Row:
        return self._rows.setdefault(customer, _Row(customer))

    def heartbeat(self) -> None:
        """Refresh the live table; in plain mode, after a silence, say what is waited on."""
        if self._live is not None:
            self._live.update(self._table())
            return
        now = self._clock()
        if now - self._last_output < self.heartbeat_every:
            return
        lines = []
        for row in self._rows.values():
            if row.status is not None:
                continue
            if row.job_started is not None and row.job_address:
                lines.append((row.customer, f"still waiting: {self._job_line(row, now)}"))
            for address, kind in row.people.items():
                lines.append((row.customer, f"still waiting on a person: {address} ({kind})"))
        if not lines:
            done = sum(1 for r in self._rows.values() if r.status is not None)
            lines.append(("", f"still working: {done}/{len(self._rows)} customers finished"))
        for customer, text in lines:
            self._line(customer, text, style="dim")
        self._last_output = now

    def _job_line(self, row: _Row, now: float) -> str:
        assert row.job_started is not None
        parts = [f"{row.job_address}", row.stage or "running"]
        if row.percent is not None:
            parts.append(f"{row.percent:.0f}%")
        timing = format_duration(now - row.job_started)
        if row.expected:
            timing += f" of ~{format_duration(row.expected)}"
        parts.append(timing)
        return " ".join(parts)

    def _job(self, event: JobProgress) -> None:
        row = self._row(event.customer)
        row.stage, row.percent, row.expected = event.stage, event.percent, event.expected
        row.job_started = self._clock() - event.elapsed
        row.job_address = event.address
        if self._live is not None:
            return
        key = (event.customer, event.address)
        last_stage, last_percent = self._last_plain.get(key, (None, -100.0))
        percent = event.percent or 0.0
        if event.stage == last_stage and percent - last_percent < PLAIN_JOB_EVERY:
            return
        self._last_plain[key] = (event.stage, percent)
        self._line(event.customer, f"{event.address}: {job_text(event)}", style="cyan")

    def _line(
        self,
        customer: str,
        text: str,
        *,
        style: str = "",
        always: bool = False,
        verbose_only: bool = False,
    ) -> None:
        if verbose_only and not self.verbose:
            return
        # whose line it is, on a terminal too: "started" twice above the table names nobody
        line = text if not customer or text.startswith(customer) else f"{customer}: {text}"
        if self._live is not None:
            if always or self.verbose:
                self._live.console.print(Text(line, style=style))
            return
        self._last_output = self._clock()
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.console.print(Text(f"{stamp} {line}", style=style), soft_wrap=True)

    def _table(self) -> RenderableType:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column(overflow="ellipsis")
        table.add_column(no_wrap=True, style="cyan")
        for row in self._rows.values():
            icon, style = ICON.get(row.status, ("·", "cyan")) if row.status else ("·", "cyan")
            job = ""
            if row.job_started is not None:
                elapsed = self._clock() - row.job_started
                job = " ".join(
                    p
                    for p in (
                        row.stage or "",
                        f"{row.percent:.0f}%" if row.percent is not None else "",
                        format_duration(elapsed)
                        + (f"/{format_duration(row.expected)}" if row.expected else ""),
                    )
                    if p
                )
            table.add_row(Text(icon, style=style), row.customer, row.note or row.step, job)
        done = sum(1 for r in self._rows.values() if r.status is not None)
        head = Text(f"applying: {done}/{len(self._rows)} customers finished", style="dim")
        return Group(head, table)

    # -- the end ---------------------------------------------------------------------------

    def summary(self, report: ApplyReport) -> None:
        report = printable_value(report)
        self.console.print()
        if not report.outcomes:
            self.console.print(
                Text("No changes. Every customer has converged.", style="bold green")
            )
            return
        for outcome in sorted(report.outcomes, key=lambda o: o.customer):
            icon, style = ICON[outcome.status]
            line = Text(f"{icon} ", style=f"bold {style}")
            line.append(outcome.customer, style="bold")
            line.append(f"  {outcome_note(outcome)}", style=style)
            self.console.print(line)
            if outcome.failure is not None:
                for part in failure_lines(outcome.failure):
                    self.console.print(Text(f"    {part}", style="red"), soft_wrap=True)
            for wait in outcome.waits:
                self.console.print(Text(f"    {wait.address}: {wait.message}", style="magenta"))
                if wait.url:
                    self.console.print(Text(f"      {wait.url}"), soft_wrap=True)
                    if wait.expires_at:
                        self.console.print(
                            Text(
                                f"      valid until {instant_text(wait.expires_at, None)}",
                                style="dim",
                            )
                        )
            for address in outcome.stale_addresses:
                self.console.print(Text(f"    changed since the plan: {address}", style="red"))
            for address, status in sorted(outcome.published.items()):
                self.console.print(Text(f"    {address}: {status}", style="dim"))
        self.console.print()
        self.console.print(Text(totals_line(report), style="bold"))
        if report.held_orphans:
            self.console.print(Text(f"Held back: {held_orphans_sentence(report)}", style="red"))


def _short(customer: str, address: str) -> str:
    return address[len(customer) + 1 :] if address.startswith(customer + "/") else address


def job_text(event: JobProgress) -> str:
    parts = [event.stage or "running"]
    if event.percent is not None:
        parts.append(f"{event.percent:.0f}%")
    timing = format_duration(event.elapsed)
    if event.expected:
        timing += f" of ~{format_duration(event.expected)}"
    parts.append(timing)
    return " ".join(parts)


def failure_lines(failure: Failure) -> list[str]:
    head = f"{failure.address}: "
    if failure.code:
        head += f"{failure.code}: "
    head += failure.message
    lines = [head]
    ids = []
    if failure.request_id:
        ids.append(f"requestId {failure.request_id}")
    if failure.job_id:
        ids.append(f"job {failure.job_id}")
    if ids:
        lines.append(", ".join(ids))
    if failure.recovery:
        lines.append(f"what to do: {failure.recovery}")
    return lines


def failure_text(failure: Failure) -> str:
    return " — ".join(failure_lines(failure))


def outcome_note(outcome: CustomerOutcome) -> str:
    took = format_duration(outcome.elapsed)
    changes = len(outcome.done)
    if outcome.status is CustomerStatus.CONVERGED:
        if not changes:
            return "converged, no changes"
        return f"converged: {changes} step{'s' if changes != 1 else ''} in {took}"
    if outcome.status is CustomerStatus.WAITING:
        n = len(outcome.waits)
        return f"waiting on {n} person-gated step{'s' if n != 1 else ''} ({changes} done)"
    if outcome.status is CustomerStatus.STALE:
        return (
            "refused: the saved plan is stale for this customer; run plan again "
            "(`layers-reconcile plan PATH --out FILE`), review it, then apply the new file"
        )
    if outcome.status is CustomerStatus.NOT_REVIEWED:
        held = len(outcome.not_reviewed)
        return (
            f"held back {held} step{'s' if held != 1 else ''} not in the reviewed plan "
            f"({changes} done): {', '.join(outcome.not_reviewed)}"
        )
    where = outcome.failure.address if outcome.failure else "?"
    return f"failed at {where} ({changes} step{'s' if changes != 1 else ''} done and kept)"


def totals_line(report: ApplyReport) -> str:
    counts: dict[CustomerStatus, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    steps = sum(len(o.done) for o in report.outcomes)
    parts = [f"{len(report.outcomes)} customer{'s' if len(report.outcomes) != 1 else ''}"]
    for status in CustomerStatus:
        if counts.get(status):
            parts.append(f"{counts[status]} {status.value}")
    parts.append(f"{steps} step{'s' if steps != 1 else ''} applied")
    parts.append(f"in {format_duration(report.elapsed)}")
    head = "Apply complete" if report.converged else "Apply stopped"
    if report.converged and not report.changed:
        head = "No changes"
    return f"{head}: " + ", ".join(parts) + "." + unchanged_sentence(report)
