"""The content approval stage of the diff: approve (`approve: true`) or wait on a person."""

from __future__ import annotations

from collections.abc import Sequence

from layers_reconcile.config.content import ContentSpec
from layers_reconcile.plan.context import Ctx, requires_approval
from layers_reconcile.plan.diff_generation import ContentState
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.model import Action, Change, PersonGate, Step
from layers_reconcile.plan.targets import ContentApprovalTarget
from layers_reconcile.records import Container
from layers_reconcile.statuses import UNKNOWN


def diff_content_approval(ctx: Ctx, key: str, spec: ContentSpec, state: ContentState) -> None:
    """Containers pending approval are approved (`approve: true`) or waited on (a person)."""
    address = ctx.addr("content", key, "approval")
    statuses = sorted((c.id, c.approval_status) for c in state.containers)
    ctx.seen(address, None if ctx.project is None else statuses)
    if state.mode == "done":
        target = _pending_now(ctx, address, key, state, statuses)
    else:
        # The containers are made (or made again) by this apply: their ids are known after it.
        gated = _gated_once_made(ctx, state, statuses)
        target = ContentApprovalTarget(projectId=ctx.pid) if gated else None
    if target is not None:
        ctx.add(_approval_step(ctx, address, key, spec, target))


def _pending_now(
    ctx: Ctx,
    address: str,
    key: str,
    state: ContentState,
    statuses: Sequence[tuple[str, str | None]],
) -> ContentApprovalTarget | None:
    """Converged content: its containers pending approval (None: none is, or one's status is
    unknown to this version and waits on a person instead). A rejected one is a warning."""
    if _unknown_approval(ctx, address, key, state.containers):
        return None
    for cid, status in statuses:
        if status == "rejected":
            ctx.warnings.append(
                f"content {key!r}: container {cid} was rejected; change the brief to regenerate it"
            )
    pending = [cid for cid, status in statuses if status == "pending"]
    return ContentApprovalTarget(projectId=ctx.pid, containerIds=pending) if pending else None


def _gated_once_made(
    ctx: Ctx, state: ContentState, statuses: Sequence[tuple[str, str | None]]
) -> bool:
    """Whether content this apply generates (or waits for) starts pending approval."""
    if not requires_approval(ctx):
        return False
    if state.mode != "regen":
        return True
    # A regenerate resets the approval only of containers the policy gated (the API keeps
    # `not_required` ones as they are): approving any other would be a step apply never runs.
    again = {bare_id(i) for i in state.regenerated}
    return any(
        status == "pending" or (bare_id(cid) in again and status != "not_required")
        for cid, status in statuses
    )


def _approval_step(
    ctx: Ctx, address: str, key: str, spec: ContentSpec, target: ContentApprovalTarget
) -> Step:
    change = Change(field="approvalStatus", before="pending", after="approved")
    if spec.approve:
        return ctx.step(
            address,
            Action.APPROVE,
            target,
            changes=[change],
            reason="approve: true — the merged file is the approval",
        )
    return ctx.step(
        address,
        Action.WAIT_ON_PERSON,
        target,
        person=PersonGate(
            kind="content_approval",
            message=f"someone reviews and approves content {key!r} in Layers "
            "(or set `approve: true` in the file)",
        ),
        reason="the project requires approval before posting",
    )


def _unknown_approval(ctx: Ctx, address: str, key: str, containers: Sequence[Container]) -> bool:
    """An approval status this version does not know is neither approved nor posted: a wait on
    a person, naming the status as sent. True when there is one."""
    newer = [c for c in containers if c.approval_status == UNKNOWN]
    if not newer:
        return False
    said = ", ".join(f"{c.id} is {c.approval_status_sent!r}" for c in newer)
    ctx.add(
        ctx.step(
            address,
            Action.WAIT_ON_PERSON,
            ContentApprovalTarget(projectId=ctx.pid, containerIds=[c.id for c in newer]),
            person=PersonGate(
                kind="content_approval",
                message=f"someone clears content {key!r} in Layers ({said}: a status this "
                "version of layers-reconcile does not know)",
            ),
            reason="an approval status this version does not know; nothing is approved",
        )
    )
    return True
