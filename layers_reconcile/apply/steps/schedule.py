"""Guide steps 9–10: schedule (partner-supplied `scheduledPostId`), reschedule, cancel."""

from __future__ import annotations

from typing import Any

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Keep, Reserved, content_entry
from layers_reconcile.apply.steps.base import (
    StepResult,
    approval_gate,
    cancel_post,
    connected_account,
    content_key_of,
)
from layers_reconcile.plan.ids import schedule_suffix
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import ScheduleTarget


async def schedule(ctx: CustomerContext, step: Step, target: ScheduleTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    container_id = target.containerId
    post_id = target.postId
    platform = target.platform
    scheduled_for = target.scheduledFor
    mode = target.mode
    if not (container_id and post_id and platform and scheduled_for and mode):
        raise StepError(f"{step.address}: the plan lacks the container, post or time to schedule")
    account = target.socialAccountId or await connected_account(ctx, platform, "to post to")
    sent: dict[str, Any] = {"socialAccountId": account, "mode": mode, "scheduledPostId": post_id}
    if target.captionOverride:
        sent["captionOverride"] = target.captionOverride
    body = {"targets": [sent], "scheduledFor": scheduled_for}
    answer = await ctx.api.schedule(
        container_id, body, ctx.idempotency_key(f"schedule/{post_id}", body)
    )
    await _remember_entry_id(ctx, step, post_id)
    if answer.gate_status == "blocked_on_approval":
        gate = approval_gate(ctx, step.address, [container_id])
        return StepResult(detail="blocked on approval", gate=gate)
    return StepResult(detail=f"scheduled for {scheduled_for}")


async def _remember_entry_id(ctx: CustomerContext, step: Step, post_id: str) -> None:
    """An entry named by `id:` is the one thing a post id cannot be traced back to (the id is a
    hash): keep it, so `import` can write the entry back. The step's address names the entry
    (`…/schedule/ENTRYID`), whichever round its post id is of (plan.rounds)."""
    key = content_key_of(ctx.customer, step.address)
    content = (ctx.spec.content or {}).get(key or "")
    if key is None or content is None:
        return
    prefix = f"{ctx.customer}/content/{key}/schedule/"
    named = [
        entry.id
        for entry in content.schedule
        if entry.id
        and step.address == prefix + schedule_suffix(entry.id, entry.account, entry.variant)
    ]
    if not named:
        return
    entry_id = named[0]

    def record(reserved: Reserved) -> None:
        content_entry(reserved, key).setdefault("entryIds", {})[post_id] = entry_id

    await ctx.update_reserved(record, Keep.RUN)  # for `import`; the post keeps its own id


async def reschedule(ctx: CustomerContext, step: Step, target: ScheduleTarget) -> StepResult:
    post_id = target.postId
    scheduled_for = target.scheduledFor
    if not (post_id and scheduled_for):
        raise StepError(f"{step.address}: the plan lacks the post or its new time")
    # Setting a time is idempotent; no body-derived key (A -> B -> A would replay stale).
    await ctx.api.reschedule(post_id, scheduled_for)
    return StepResult(detail=f"moved to {scheduled_for}")


async def cancel(ctx: CustomerContext, step: Step, target: ScheduleTarget) -> StepResult:
    post_id = target.postId
    if not post_id:
        raise StepError(f"{step.address}: the plan names no post to cancel")
    canceled = await cancel_post(ctx, post_id)
    return StepResult(detail="canceled" if canceled else "already over", changed=canceled)
