"""The terminal rendering of a plan (rich): grouped by customer, Terraform-like symbols.

`render_text` returns a rich `Text`; a Console prints it coloured on a terminal and plain when
piped or NO_COLOR. `plain_text` is the same without styles (golden files, logs).
"""

from __future__ import annotations

from rich.text import Text

from layers_reconcile.plan.model import KNOWN_AFTER_APPLY, CustomerPlan, Plan, Step
from layers_reconcile.printable import printable_value
from layers_reconcile.render import format as fmt

INDENT = "  "


def render_text(plan: Plan) -> Text:
    plan = printable_value(plan)
    out = Text()
    title = "layers-reconcile plan"
    if plan.workspace:
        title += f" · workspace {plan.workspace}"
    if plan.api_url:
        title += f" · {plan.api_url}"
    revision = fmt.revision_text(plan)
    if revision:
        title += f" · {revision}"
    out.append(title + "\n", style="bold")
    for warning in plan.warnings:
        out.append(f"! {warning}\n", style="yellow")
    conflicts = plan.conflicts
    if conflicts:
        out.append("\nConflicts: apply refuses these customers\n", style="bold red")
        for customer in conflicts:
            out.append(f"{INDENT}x {fmt.conflict_line(customer)}\n", style="red")
    missing = plan.not_planned
    if missing:
        out.append(f"\n{fmt.NOT_PLANNED_HEADING}\n", style="bold red")
        for customer in missing:
            out.append(f"{INDENT}x {fmt.not_planned_line(customer)}\n", style="red")
    shown = [c for c in plan.customers if fmt.shown(c)]
    for customer in shown:
        out.append("\n")
        _customer(out, customer)
    if plan.orphans:
        out.append(f"\n{fmt.orphans_heading(plan)}\n", style="bold")
        pruned = any(o.archived for o in plan.orphans)
        for orphan in plan.orphans:
            out.append(f"{INDENT}- {fmt.orphan_line(orphan, pruned=pruned)}\n", style="red")
    unchanged = len(plan.customers) - len(shown) - len(conflicts) - len(missing)
    if shown and unchanged:
        out.append(
            f"\n{unchanged} other customer{'s' if unchanged != 1 else ''} unchanged.\n", style="dim"
        )
    out.append("\n")
    out.append(fmt.summary_line(plan) + "\n", style="bold")
    scope = fmt.scope_line(plan)
    if scope:
        out.append(scope + "\n", style="dim")
    return out


def plain_text(plan: Plan) -> str:
    return render_text(plan).plain


def _customer(out: Text, customer: CustomerPlan) -> None:
    out.append(customer.customer_external_id, style="bold underline")
    rest = fmt.customer_title(customer)[len(customer.customer_external_id) :]
    out.append(rest + "\n", style="dim")
    for warning in customer.warnings:
        out.append(f"{INDENT}! {warning}\n", style="yellow")
    for step in customer.steps:
        _step(out, step, customer.timezone)
    if customer.ignored:
        out.append(f"{INDENT}= {fmt.IGNORED_HEADING}\n", style="dim")
        for change in customer.ignored:
            out.append(f"{INDENT}      {fmt.ignored_line(change)}\n", style="dim")


def _step(out: Text, step: Step, timezone: str | None = None) -> None:
    symbol = fmt.SYMBOL[step.action]
    style = fmt.STYLE[symbol]
    if step.reason:
        out.append(f"{INDENT}# {step.reason}\n", style="dim")
    out.append(f"{INDENT}{symbol} ", style=f"bold {style}")
    out.append(step.address, style="bold")
    out.append(f"  {fmt.headline(step)}\n", style=style)
    for line in fmt.details(step, timezone):
        out.append(f"{INDENT}      ")
        _value_line(out, line)
    for warning in step.warnings:
        out.append(f"{INDENT}    ! {warning}\n", style="yellow")


def _value_line(out: Text, line: str) -> None:
    """Dim every "(known after apply)" so what is certain stands out."""
    parts = line.split(KNOWN_AFTER_APPLY)
    for i, part in enumerate(parts):
        if i:
            out.append(KNOWN_AFTER_APPLY, style="italic dim")
        out.append(part)
    out.append("\n")
