"""Approval: the project's policy (before content), and each container's approval (guide step 7)."""

from __future__ import annotations

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.steps.base import StepResult, approval_gate, content_key_of
from layers_reconcile.errors import ConflictError
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import ApprovalTarget, ContentApprovalTarget
from layers_reconcile.revb import REV_A_ONLY, approval_of, review_policy_body
from layers_reconcile.statuses import APPROVAL_CLEARED


async def update_policy(ctx: CustomerContext, step: Step, target: ApprovalTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    assert ctx.spec.approval is not None
    body = ctx.spec.approval.model_dump(exclude_unset=True)
    known = {c.field for c in step.changes if not c.before_unknown}
    if known:  # only the fields that differ: one `ignore:` names is not among them
        body = {k: v for k, v in body.items() if k in known}
    # A PATCH sets values: repeating it is harmless, so no key derived from the body (which
    # would replay a stale answer when a value goes A -> B -> A within the replay window).
    if ctx.api.revision == "b":
        return await _update_review_policy(ctx, body)
    await ctx.api.patch_approval_policy(ctx.require_project(), body)
    return StepResult(detail="policy " + ", ".join(f"{k}={v}" for k, v in body.items()))


async def _update_review_policy(ctx: CustomerContext, body: dict[str, object]) -> StepResult:
    """Rev B takes the whole policy at once: the file's changed fields over what Layers has."""
    pid = ctx.require_project()
    wanted = {k: v for k, v in body.items() if k not in REV_A_ONLY}
    current = approval_of(await ctx.api.get_review_policy(pid))
    sent = review_policy_body({**current, **wanted})
    await ctx.api.patch_review_policy(pid, sent)
    return StepResult(detail="review policy " + ", ".join(f"{k}={v}" for k, v in sent.items()))


def _note(ctx: CustomerContext, key: str | None) -> str:
    where = f"workspace {ctx.workspace}" if ctx.workspace else "its workspace"
    source = f" ({ctx.loaded.path})" if ctx.loaded is not None else ""
    return f"Approved by layers-reconcile for {where}: content {key!r} has approve: true{source}"[
        :1024
    ]


async def approve(ctx: CustomerContext, step: Step, target: ContentApprovalTarget) -> StepResult:
    key = content_key_of(ctx.customer, step.address)
    note = _note(ctx, key)
    approved = 0
    for container_id in target.containerIds or []:
        try:
            # Approving is idempotent by state; a derived key would replay the first approval
            # after a regenerate reset the container to pending.
            await ctx.api.approve_content(container_id, note)
            approved += 1
        except ConflictError as exc:
            # Rev B says where the container stands (`details.approvalStatus`: approved, or
            # not_required on an auto_approve project); Rev A is asked.
            status = exc.approval_status
            if not isinstance(status, str):
                status = (await ctx.api.get_content(container_id)).approval_status
            if status not in APPROVAL_CLEARED:
                raise
    return StepResult(detail=f"approved {approved} container(s)")


async def wait_for_approval(
    ctx: CustomerContext, step: Step, target: ContentApprovalTarget
) -> StepResult:
    gate = approval_gate(ctx, step.address, target.containerIds or [])
    return StepResult(detail="waiting for approval", gate=gate, changed=False)
