"""The pull-request comment: summary first, warnings next, one `<details>` per customer.

GitHub refuses comments over 65,536 characters, so a long plan is split into parts, each under
`limit`, each starting with the hidden marker that lets a CI job find and update its comments.
"""

from __future__ import annotations

from html import escape

from layers_reconcile.plan.model import CustomerPlan, Plan, Step
from layers_reconcile.printable import printable_value
from layers_reconcile.render import format as fmt
from layers_reconcile.render.marker import comment_marker

MARKER = comment_marker("plan", None)  # a plan without a workspace name
LIMIT = 65_000
# GitHub's diff highlighter colours +, - and ! at column 0; Terraform's ~ becomes ! (as Atlantis).
DIFF_MARK = {"+": "+", "-": "-", "~": "!", "*": "!", "?": "!"}
TRUNCATED = "… output truncated here; the whole plan is in `layers-reconcile plan --format json`"


def render_markdown(plan: Plan, *, limit: int = LIMIT) -> list[str]:
    """The comment, as one or more parts of at most `limit` characters each."""
    plan = printable_value(plan)
    title = "### layers-reconcile plan" + (f" · `{plan.workspace}`" if plan.workspace else "")
    revision = fmt.revision_text(plan)
    title += f" · {revision}" if revision else ""
    summary = f"**{fmt.summary_line(plan)}**"
    notes = [fmt.scope_line(plan), fmt.provenance_line(plan)]
    summary += "".join(f"\n\n_{escape(n, quote=False)}_" for n in notes if n)
    warnings = (
        _credits(plan) + _warnings(plan) + _conflicts(plan) + _not_planned(plan) + _orphans(plan)
    )
    sections = [_section(c) for c in plan.customers if fmt.shown(c)]
    unchanged = len(plan.customers) - len(sections) - len(plan.conflicts) - len(plan.not_planned)
    footer = (
        f"\n_{unchanged} other customer{'s' if unchanged != 1 else ''} unchanged._\n"
        if sections and unchanged
        else ""
    )
    marker = comment_marker("plan", plan.workspace)
    first_head = "\n".join([marker, title, "", summary, "", *warnings]).rstrip() + "\n"
    later_head = "\n".join([marker, title + " (continued)", "", summary]) + "\n"
    slack = 40  # room for "(part i of n)"
    if len(first_head) + slack > limit:
        first_head = _cut(first_head, limit // 2)
    parts: list[list[str]] = [[]]
    budget = limit - len(first_head) - slack - len(footer)
    for section in sections:
        room = limit - len(later_head) - slack - len(footer)
        if len(section) + 1 > room:
            section = _cut(section, room - 1)
        used = sum(len(s) + 1 for s in parts[-1])
        if parts[-1] and used + len(section) + 1 > budget:
            parts.append([])
            budget = room
        parts[-1].append(section)
    out: list[str] = []
    total = len(parts)
    for i, chunk in enumerate(parts, start=1):
        head = first_head if i == 1 else later_head
        if total > 1:
            head = head.replace(title, f"{title} (part {i} of {total})", 1)
        body = "".join("\n" + s for s in chunk)
        out.append(head + body + (footer if i == total else ""))
    return out


def _warnings(plan: Plan) -> list[str]:
    found = fmt.all_warnings(plan)
    if not found:
        return []
    lines = ["> [!WARNING]"]
    lines += [f"> - `{where}`: {escape(text, quote=False)}" for where, text in found]
    return [*lines, ""]


def _credits(plan: Plan) -> list[str]:
    if not plan.over_credits:
        return []
    said = escape(fmt.credits_breach(plan), quote=False)
    return ["> [!CAUTION]", f"> **Over the credit limit:** {said[0].upper()}{said[1:]}.", ""]


def render_failure(workspace: str | None, commit: str | None, message: str) -> str:
    """The comment of a plan that failed: why and at which commit, so the last good plan
    never stays looking current."""
    title = "### layers-reconcile plan" + (f" · `{workspace}`" if workspace else "")
    at = f" at commit `{commit[:12]}`" if commit else ""
    fence = "```"
    while fence in message:
        fence += "`"
    lines = [
        comment_marker("plan", workspace),
        title,
        "",
        "> [!CAUTION]",
        f"> **The plan failed{at}.** Nothing here is a current plan; fix the cause and push "
        "again (or re-run the job).",
        "",
        f"{fence}text",
        message.rstrip("\n"),
        fence,
    ]
    return "\n".join(lines) + "\n"


def _conflicts(plan: Plan) -> list[str]:
    if not plan.conflicts:
        return []
    lines = ["> [!CAUTION]", "> **Conflicts: apply refuses these customers**"]
    lines += [f"> - {escape(fmt.conflict_line(c), quote=False)}" for c in plan.conflicts]
    return [*lines, ""]


def _not_planned(plan: Plan) -> list[str]:
    if not plan.not_planned:
        return []
    lines = ["> [!CAUTION]", f"> **{fmt.NOT_PLANNED_HEADING}**"]
    lines += [f"> - {escape(fmt.not_planned_line(c), quote=False)}" for c in plan.not_planned]
    return [*lines, ""]


def _orphans(plan: Plan) -> list[str]:
    if not plan.orphans:
        return []
    lines = [f"**{escape(fmt.orphans_heading(plan), quote=False)}**", ""]
    pruned = any(o.archived for o in plan.orphans)
    lines += [f"- {escape(fmt.orphan_line(o, pruned=pruned), quote=False)}" for o in plan.orphans]
    return [*lines, ""]


def _section(customer: CustomerPlan) -> str:
    n = len(customer.steps)
    file = f" · <code>{escape(customer.file)}</code>" if customer.file else ""
    summary = (
        f"<code>{escape(customer.customer_external_id)}</code> · "
        f"{n} change{'s' if n != 1 else ''}{file}"
    )
    body = "\n".join(
        line for step in customer.steps for line in _step_lines(step, customer.timezone)
    )
    if customer.warnings:
        notes = "\n".join(f"# ! {w}" for w in customer.warnings)
        body = notes + ("\n" + body if body else "")
    if customer.ignored:
        lines = [f"# = {fmt.IGNORED_HEADING}"]
        lines += [f"#       {fmt.ignored_line(c)}" for c in customer.ignored]
        body = (body + "\n" if body else "") + "\n".join(lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return f"<details><summary>{summary}</summary>\n\n{fence}diff\n{body}\n{fence}\n\n</details>\n"


def _step_lines(step: Step, timezone: str | None = None) -> list[str]:
    mark = DIFF_MARK[fmt.SYMBOL[step.action]]
    lines = []
    if step.reason:
        lines.append(f"# {step.reason}")
    lines.append(f"{mark} {step.address}  {fmt.headline(step)}")
    lines += [f"{mark}     {line}" for line in fmt.details(step, timezone)]
    lines += [f"#   ! {w}" for w in step.warnings]
    return lines


def _cut(text: str, size: int) -> str:
    """Shorten a section to `size` characters, closing any fence and <details> it opened."""
    fence = next((ln[: -len("diff")] for ln in text.splitlines() if ln.endswith("diff")), "```")
    tail = f"\n{TRUNCATED}\n{fence}\n\n</details>\n" if "<details>" in text else f"\n{TRUNCATED}\n"
    keep = max(0, size - len(tail))
    head = text[:keep]
    head = head[: head.rfind("\n") + 1] if "\n" in head else head
    return head + tail
