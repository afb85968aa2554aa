"""Words, symbols and numbers shared by the text and markdown renderings of a plan."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from layers_reconcile import apirevision
from layers_reconcile.config.times import instant_text
from layers_reconcile.durations import converge_text, estimate_span_text
from layers_reconcile.plan.model import (
    KNOWN_AFTER_APPLY,
    LINKED_GATES,
    Action,
    Change,
    CustomerPlan,
    Orphan,
    Plan,
    Step,
)
from layers_reconcile.plan.targets import ContentTarget, IngestTarget, OrganizationTarget

# Terraform's vocabulary where it has a word for it: + create, ~ change, - destroy.
SYMBOL: dict[Action, str] = {
    Action.CREATE: "+",
    Action.REGISTER: "+",
    Action.SCHEDULE: "+",
    Action.UPDATE: "~",
    Action.ADOPT: "~",
    Action.SELECT: "~",
    Action.APPROVE: "~",
    Action.RESCHEDULE: "~",
    Action.RUN_JOB: "*",
    Action.CANCEL: "-",
    Action.ARCHIVE: "-",
    Action.WAIT_ON_PERSON: "?",
    Action.MIGRATE: "~",
    Action.SUSPEND: "~",
    Action.RESUME: "~",
    Action.ALLOCATE: "+",
}

STYLE: dict[str, str] = {"+": "green", "~": "yellow", "-": "red", "*": "cyan", "?": "magenta"}

LABEL: dict[Action, str] = {
    Action.RUN_JOB: "run job",
    Action.WAIT_ON_PERSON: "wait on person",
}


def label(action: Action) -> str:
    return LABEL.get(action, action.value)


def value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, default=str)


TIME_FIELDS = frozenset({"scheduledFor"})


def _shown(field: str, v: Any, timezone: str | None) -> str:
    """A value as JSON; an instant also in the project's local time."""
    text = value(v)
    if field in TIME_FIELDS and isinstance(v, str) and timezone:
        local = instant_text(v, timezone)
        if local != v and local.startswith(v):
            text += local[len(v) :]
    return text


def before_text(change: Change, timezone: str | None = None) -> str:
    if change.before_unknown:
        return KNOWN_AFTER_APPLY
    return _shown(change.field, change.before, timezone)


def after_text(change: Change, timezone: str | None = None) -> str:
    if change.after_unknown:
        return KNOWN_AFTER_APPLY
    return _shown(change.field, change.after, timezone)


def change_text(step: Step, change: Change, timezone: str | None = None) -> str:
    """`field: after` for what is created, `field: before -> after` otherwise."""
    if step.action in (Action.CREATE, Action.REGISTER, Action.SCHEDULE, Action.ALLOCATE) or (
        change.before is None and not change.before_unknown and step.action == Action.RUN_JOB
    ):
        return f"{change.field}: {after_text(change, timezone)}"
    return f"{change.field}: {before_text(change, timezone)} -> {after_text(change, timezone)}"


def job_text(step: Step) -> str:
    job = step.job
    if job is None:
        return ""
    credits = f"{job.credits} credits" if job.credits else "no credits"
    return f"{job.kind} · {estimate_span_text(job.expected_seconds_min, job.expected_seconds_max)} · {credits}"


def headline(step: Step) -> str:
    """What follows the address on a step's first line."""
    parts = [label(step.action)]
    if step.job:
        parts.append(job_text(step))
    if step.person:
        parts.append(step.person.message)
    return " · ".join(parts)


def details(step: Step, timezone: str | None = None) -> list[str]:
    """The lines under a step: its changes, then where a person has to go (the outstanding link
    and until when it works, or a new one made by apply)."""
    lines = [change_text(step, c, timezone) for c in step.changes]
    if step.person and step.person.kind in LINKED_GATES:
        lines.append(f"url: {step.person.url or KNOWN_AFTER_APPLY}")
        if step.person.url and step.person.expires_at:
            lines.append(f"expires: {instant_text(step.person.expires_at, timezone)}")
    job_id = step.target.jobId if isinstance(step.target, IngestTarget | ContentTarget) else None
    if step.action == Action.RUN_JOB and job_id:
        lines.append(f"jobId: {job_id}")
    return lines


def action_counts(plan: Plan) -> str:
    """The changes by action; waits on people are counted on their own."""
    counts = Counter(
        label(s.action)
        for c in plan.customers
        for s in c.steps
        if s.action is not Action.WAIT_ON_PERSON
    )
    order = [label(a) for a in Action]
    return ", ".join(f"{counts[name]} {name}" for name in order if counts[name])


def summary_line(plan: Plan) -> str:
    s = plan.summary
    if not s.changes and not s.waits_on_people:
        planned = s.customers - s.not_planned  # the rest could not be read: said after
        noun = "customer matches" if planned == 1 else "customers match"
        return f"No changes. {planned} {noun} the files." + _findings(plan)
    changed = sum(1 for c in plan.customers if c.steps)
    parts = [f"{s.customers} customer{'s' if s.customers != 1 else ''} ({changed} to change)"]
    if s.changes:
        parts.append(f"{s.changes} change{'s' if s.changes != 1 else ''} ({action_counts(plan)})")
    else:
        parts.append("nothing for apply to change")
    if s.jobs:
        credits = f" (~{s.credits} credits)" if s.credits else ""
        parts.append(f"{s.jobs} job{'s' if s.jobs != 1 else ''}{credits}")
    else:
        parts.append("no jobs")
    if s.transfers:
        plural = "s" if s.transfers != 1 else ""
        parts.append(
            f"{s.transfers} transfer{plural} moving {s.transfer_credits} credits to child "
            "organizations"
        )
    if s.waits_on_people:
        parts.append(f"{s.waits_on_people} wait{'s' if s.waits_on_people == 1 else ''} on people")
    text = "Plan: " + ", ".join(parts)
    if s.expected_seconds > 0:
        text += f"; {converge_text(s.expected_seconds)} to converge"
        if s.waits_on_people:
            text += " once people have acted"
    return text + "." + _findings(plan)


def _findings(plan: Plan) -> str:
    """Orphans and conflicts, after the summary: a drift job must see both."""
    s = plan.summary
    text = ""
    if s.orphans:
        archived = sum(1 for o in plan.orphans or [] if o.archived)
        noun = "orphan" if s.orphans == 1 else "orphans"
        if archived:
            text += f" {s.orphans} {noun} ({archived} archived by this plan)."
        else:
            text += f" {s.orphans} {noun} (would be archived with --prune)."
    ignored = sum(len(c.ignored) for c in plan.customers)
    if ignored:
        noun = "difference" if ignored == 1 else "differences"
        text += f" {ignored} ignored {noun} (fields the files' ignore: leaves to people)."
    if s.conflicts:
        noun = "conflict" if s.conflicts == 1 else "conflicts"
        text += f" {s.conflicts} {noun}: apply refuses {'it' if s.conflicts == 1 else 'them'}."
    if s.not_planned:
        one = s.not_planned == 1
        text += (
            f" {s.not_planned} customer{'' if one else 's'} not planned (actual state could not "
            f"be read): apply leaves {'it' if one else 'them'} alone."
        )
    return text


NOT_PLANNED_HEADING = "Not planned: actual state could not be read (the other customers are)"


def not_planned_line(customer: CustomerPlan) -> str:
    assert customer.not_planned is not None
    where = f" · {customer.file}" if customer.file else ""
    return f"{customer.customer_external_id}{where} · {customer.not_planned.text()}"


IGNORED_HEADING = "ignored (ignore: people own these fields in Layers; apply leaves them):"


def ignored_line(change: Change) -> str:
    """One ignored difference: the whole field path, what Layers has, what the file says."""
    return f"{change.field}: Layers has {before_text(change)}, the file says {after_text(change)}"


def shown(c: CustomerPlan) -> bool:
    """Whether a customer has anything to show: steps, warnings or ignored differences."""
    return bool(c.steps or c.warnings or c.ignored) and not (c.conflict or c.not_planned)


def orphan_line(orphan: Orphan, *, pruned: bool = False) -> str:
    """`pruned`: the plan archives some orphans, so one it does not is held back by the cap."""
    name = f" {value(orphan.name)}" if orphan.name else ""
    when = instant_text(orphan.last_applied_at, None) if orphan.last_applied_at else "unknown"
    if orphan.archived:
        fate = "archived by this plan"
    elif pruned:
        fate = "held back by the --max-archives cap: a later --prune run archives it"
    else:
        fate = "would be archived with --prune"
    what = (
        f"child organization {orphan.organization_id}"
        if orphan.organization_id
        else f"project {orphan.project_id}"
    )
    # A child carries no record of the tool's last apply: nothing to say of it.
    applied = "" if orphan.organization_id else f" · last applied {when}"
    return f"{orphan.customer_external_id} · {what}{name}{applied} · {fate}"


def orphans_heading(plan: Plan) -> str:
    who = f"workspace {plan.workspace}" if plan.workspace else "this workspace"
    kinds = (
        "projects and child organizations"
        if any(o.organization_id for o in plan.orphans or [])
        else "projects"
    )
    return f"Orphans: {kinds} stamped by {who} that no customer file names"


def conflict_line(customer: CustomerPlan) -> str:
    assert customer.conflict is not None
    where = f" · {customer.file}" if customer.file else ""
    return f"{customer.customer_external_id}{where} · {customer.conflict.message}"


def customer_title(c: CustomerPlan) -> str:
    child = _archived_child(c)
    if c.project_id:
        project = f"project {c.project_id}"
    elif child is not None:
        project = f"child organization {child}"
    else:
        project = f"project {KNOWN_AFTER_APPLY}"
    where = f" · {c.file}" if c.file else " · no file"
    n = len(c.steps)
    return f"{c.customer_external_id}{where} · {project} · {n} change{'s' if n != 1 else ''}"


def _archived_child(c: CustomerPlan) -> str | None:
    """The child organization an orphan's plan archives (`--prune`): it has no project to name."""
    targets = [s.target for s in c.steps if s.action is Action.ARCHIVE]
    if len(targets) == 1 == len(c.steps) and isinstance(targets[0], OrganizationTarget):
        return targets[0].organizationId
    return None


def all_warnings(plan: Plan) -> list[tuple[str, str]]:
    """(where, text) for every warning of the plan: plan-wide, per customer, per step."""
    out: list[tuple[str, str]] = [("plan", w) for w in plan.warnings]
    for c in plan.customers:
        out.extend((c.customer_external_id, w) for w in c.warnings)
        for s in c.steps:
            out.extend((s.address, w) for w in s.warnings)
    return out


def revision_text(plan: Plan) -> str | None:
    """The API revision the plan was made against, as its header says it (None: not known)."""
    return (
        None
        if plan.api_revision is None
        else f"API revision {apirevision.label(plan.api_revision)}"
    )


def scope_line(plan: Plan) -> str | None:
    """What an incremental or sharded plan covers, and what it left out."""
    parts: list[str] = []
    if plan.changed_since is not None and plan.settings_changed:
        parts.append(
            f"layers.yaml changed since {plan.changed_since}: every customer is planned (its "
            "settings and defaults apply to all of them)."
        )
    elif plan.changed_since is not None:
        skipped = plan.skipped_customers or 0
        parts.append(
            f"Only customers changed since {plan.changed_since}; skipped {skipped} unchanged "
            f"customer{'s' if skipped != 1 else ''}."
        )
    if plan.shard is not None:
        parts.append(f"Shard {plan.shard} of the workspace.")
    return " ".join(parts) or None


def credits_breach(plan: Plan) -> str:
    """What the plan, the comment and the error say when `--max-credits` is exceeded."""
    named = ", ".join(f"{ext} {n}" for ext, n in plan.credits_by_customer())
    summary = plan.summary
    moving = (
        f" and move {summary.transfer_credits} to child organizations"
        if summary.transfer_credits
        else ""
    )
    return (
        f"applying this plan would spend {summary.credits} credits{moving}, over --max-credits "
        f"{plan.max_credits} ({named})"
    )


def provenance_line(plan: Plan) -> str | None:
    bits = []
    if plan.tool_version:
        bits.append(f"layers-reconcile {plan.tool_version}")
    if plan.commit:
        bits.append(f"commit {plan.commit[:12]}")
    return "Made by " + " at ".join(bits) + "." if bits else None
