"""The content approval stage of the diff: approve (`approve: true`) or wait on a person."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers_reconcile.config.models import ContentSpec
from layers_reconcile.plan.context import Ctx, requires_approval
from layers_reconcile.plan.diff_generation import ContentState
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.model import Action, Change, PersonGate, StepKind
from layers_reconcile.records import Container
from layers_reconcile.statuses import UNKNOWN


def diff_content_approval(ctx: Ctx, key: str, spec: ContentSpec, state: ContentState) -> None:
    address = ctx.addr("content", key, "approval")
    statuses = sorted((c.id, c.approval_status) for c in state.containers)
    ctx.seen(address, None if ctx.project is None else statuses)
    if state.mode == "done":
        if _unknown_approval(ctx, address, key, state.containers):
            return
        pending = [cid for cid, status in statuses if status == "pending"]
        for cid, status in statuses:
            if status == "rejected":
                ctx.warnings.append(
                    f"content {key!r}: container {cid} was rejected; change the brief to regenerate it"
                )
        if not pending:
            return
        before: dict[str, Any] = {"before": "pending"}
        target = ctx.target(containerIds=pending)
    elif state.mode == "running" and not requires_approval(ctx):
        return
    elif state.mode == "regen":
        # A regenerate resets the approval only of containers the policy gated (the API keeps
        # `not_required` ones as they are): approving any other would be a step apply never runs.
        if not requires_approval(ctx):
            return
        again = {bare_id(i) for i in state.regenerated}
        reset = [
            cid
            for cid, status in statuses
            if status == "pending" or (bare_id(cid) in again and status != "not_required")
        ]
        if not reset:
            return
        before = {"before": "pending"}
        target = ctx.target()
    else:
        if not requires_approval(ctx):
            return
        before = {"before": "pending"}
        target = ctx.target()
    change = Change(field="approvalStatus", after="approved", **before)
    if spec.approve:
        ctx.add(
            ctx.step(
                address,
                StepKind.CONTENT_APPROVAL,
                Action.APPROVE,
                changes=[change],
                reason="approve: true — the merged file is the approval",
                target=target,
            )
        )
        return
    ctx.add(
        ctx.step(
            address,
            StepKind.CONTENT_APPROVAL,
            Action.WAIT_ON_PERSON,
            person=PersonGate(
                kind="content_approval",
                message=f"someone reviews and approves content {key!r} in Layers "
                "(or set `approve: true` in the file)",
            ),
            reason="the project requires approval before posting",
            target=target,
        )
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
            StepKind.CONTENT_APPROVAL,
            Action.WAIT_ON_PERSON,
            person=PersonGate(
                kind="content_approval",
                message=f"someone clears content {key!r} in Layers ({said}: a status this "
                "version of layers-reconcile does not know)",
            ),
            reason="an approval status this version does not know; nothing is approved",
            target=ctx.target(containerIds=[c.id for c in newer]),
        )
    )
    return True
