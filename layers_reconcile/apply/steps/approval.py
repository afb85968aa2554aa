"""Approval: the project's policy (before content), and each container's approval (guide step 7)."""

from __future__ import annotations

from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.steps.base import StepResult, content_key_of
from layers_reconcile.errors import ConflictError
from layers_reconcile.plan.model import Step


async def update_policy(ctx: CustomerContext, step: Step) -> StepResult:
    ctx.project_id = ctx.project_id or step.target.get("projectId")
    assert ctx.spec.approval is not None
    body = ctx.spec.approval.model_dump(exclude_unset=True)
    # A PATCH sets values: repeating it is harmless, so no key derived from the body (which
    # would replay a stale answer when a value goes A -> B -> A within the replay window).
    await ctx.api.patch_approval_policy(ctx.require_project(), body)
    return StepResult(detail="policy " + ", ".join(f"{k}={v}" for k, v in body.items()))


def _containers(step: Step) -> list[str]:
    ids = step.target.get("containerIds") or []
    if not ids and step.target.get("containerId"):
        ids = [step.target["containerId"]]
    return [str(i) for i in ids]


def _note(ctx: CustomerContext, key: str | None) -> str:
    where = f"workspace {ctx.workspace}" if ctx.workspace else "its workspace"
    source = f" ({ctx.loaded.path})" if ctx.loaded is not None else ""
    return f"Approved by layers-reconcile for {where}: content {key!r} has approve: true{source}"[
        :1024
    ]


async def approve(ctx: CustomerContext, step: Step) -> StepResult:
    key = content_key_of(ctx.customer, step.address)
    note = _note(ctx, key)
    approved = 0
    for container_id in _containers(step):
        try:
            # Approving is idempotent by state; a derived key would replay the first approval
            # after a regenerate reset the container to pending.
            await ctx.api.approve_content(container_id, note)
            approved += 1
        except ConflictError:
            current = await ctx.api.get_content(container_id)
            if current.get("approvalStatus") not in ("approved", "not_required"):
                raise
    return StepResult(detail=f"approved {approved} container(s)")


def approval_gate(ctx: CustomerContext, address: str, container_ids: list[str]) -> Gate:
    key = content_key_of(ctx.customer, address)

    async def check() -> GateCheck:
        for container_id in container_ids:
            container = await ctx.api.get_content(container_id)
            status = container.get("approvalStatus")
            if status == "rejected":
                reason = container.get("rejectionReason") or container.get("reason") or ""
                return GateCheck(GateState.FAILED, f"content {key!r} was rejected {reason}".strip())
            if status not in ("approved", "not_required"):
                return GateCheck(GateState.PENDING)
        return GateCheck(GateState.DONE, "approved")

    listed = ", ".join(container_ids)
    # The API has no review page to link to: say what approves it.
    wait = PersonWait(
        address=address,
        kind="content_approval",
        url=None,
        message=(
            f"content {key!r} waits for someone to approve {listed} in your review UI "
            "(POST /v1/content/{id}/approve), or set approve: true on it"
        ),
    )
    return Gate(wait=wait, check=check, deadline=ctx.gate_deadline())


async def wait_for_approval(ctx: CustomerContext, step: Step) -> StepResult:
    gate = approval_gate(ctx, step.address, _containers(step))
    return StepResult(detail="waiting for approval", gate=gate, changed=False)
