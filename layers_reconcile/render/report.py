"""The markdown report of an apply (`apply --report FILE`, the job summary, the merged PR's
comment): per customer converged, waiting on people (with the links to send), or failed (with
the API's code, the requestId and the recovery)."""

from __future__ import annotations

from html import escape

from layers_reconcile.apply.events import ApplyReport, CustomerOutcome, CustomerStatus
from layers_reconcile.durations import format_duration
from layers_reconcile.printable import printable_value
from layers_reconcile.render.marker import comment_marker

MARKER = comment_marker("apply", None)  # a report without a workspace name

_HEADING = {
    CustomerStatus.FAILED: "Failed",
    CustomerStatus.STALE: "Refused: the plan is stale",
    CustomerStatus.NOT_REVIEWED: "Held back: not reviewed",
    CustomerStatus.WAITING: "Waiting on people",
    CustomerStatus.CONVERGED: "Converged",
}


def render_report(report: ApplyReport, *, workspace: str | None = None) -> str:
    report = printable_value(report)
    workspace = printable_value(workspace)
    title = "### layers-reconcile apply" + (f" · `{workspace}`" if workspace else "")
    lines = [comment_marker("apply", workspace), title, "", f"**{_summary(report)}**"]
    if report.held_orphans:
        lines += ["", f"**Held back:** {held_orphans_sentence(report)}"]
    for status in _HEADING:
        chosen = [o for o in report.outcomes if o.status is status]
        if not chosen:
            continue
        lines += ["", f"#### {_HEADING[status]} ({len(chosen)})", ""]
        for outcome in chosen:
            lines += _outcome(outcome)
    return "\n".join(lines) + "\n"


def _summary(report: ApplyReport) -> str:
    if not report.outcomes:
        return "Nothing to apply: every customer matches its file."
    counts = {s: sum(1 for o in report.outcomes if o.status is s) for s in CustomerStatus}
    parts = [
        f"{counts[CustomerStatus.CONVERGED]} converged",
        f"{counts[CustomerStatus.WAITING]} waiting on people",
        f"{counts[CustomerStatus.FAILED] + counts[CustomerStatus.STALE]} failed",
    ]
    held = len(report.not_reviewed)
    if held:
        parts.append(f"{held} step{'s' if held != 1 else ''} not reviewed (held back)")
    n = len(report.outcomes)
    return (
        f"Apply: {n} customer{'s' if n != 1 else ''}: "
        + ", ".join(parts)
        + (f" in {format_duration(report.elapsed)}." if report.elapsed else ".")
        + unchanged_sentence(report)
    )


def unchanged_sentence(report: ApplyReport) -> str:
    """' N other customers unchanged.' after an apply's totals ('' when there were none), so 7
    customers applied in a workspace of 20 do not read as the whole workspace."""
    n = report.unchanged
    if not n:
        return ""
    return f" {n} other customer{'s' if n != 1 else ''} unchanged."


def held_orphans_sentence(report: ApplyReport) -> str:
    """What `--max-archives` held back for a later run ('' when nothing), and what to do."""
    held = report.held_orphans
    if not held:
        return ""
    shown = ", ".join(held[:10]) + (f" and {len(held) - 10} more" if len(held) > 10 else "")
    one = len(held) == 1
    return (
        f"{len(held)} orphan{'' if one else 's'} held back by --max-archives "
        f"(not archived by this run: {shown}): apply --prune again to archive "
        f"{'it' if one else 'them'} (each run archives at most that many), or raise "
        "--max-archives."
    )


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _outcome(outcome: CustomerOutcome) -> list[str]:
    project = f" · project {_code(outcome.project_id)}" if outcome.project_id else ""
    n = len(outcome.done)
    head = f"- {_code(outcome.customer)}{project} · {n} step{'s' if n != 1 else ''} done"
    lines = [head]
    for wait in outcome.waits:
        link = f"[{escape(wait.kind)}]({wait.url})" if wait.url else escape(wait.kind)
        lines.append(f"  - {link} at {_code(wait.address)}: {escape(wait.message, quote=False)}")
    failure = outcome.failure
    if failure is not None:
        facts = [f"at {_code(failure.address)}"]
        if failure.code:
            facts.append(f"code {_code(failure.code)}")
        if failure.status:
            facts.append(f"HTTP {failure.status}")
        if failure.request_id:
            facts.append(f"requestId {_code(failure.request_id)}")
        if failure.job_id:
            facts.append(f"job {_code(failure.job_id)}")
        lines.append(f"  - {escape(failure.message, quote=False)} ({', '.join(facts)})")
        if failure.recovery:
            lines.append(f"  - what to do: {escape(failure.recovery, quote=False)}")
    for step in outcome.not_reviewed:
        lines.append(
            f"  - not reviewed, held back: {_code(step)} (the reviewed plan does not show it; "
            "plan again, review, merge)"
        )
    for address in outcome.stale_addresses:
        lines.append(f"  - changed since the plan: {_code(address)}; make a new plan")
    return lines
