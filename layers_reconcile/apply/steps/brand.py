"""Guide step 4: brand overrides, PATCHed after ingest (ingest rewrites brandContext)."""

from __future__ import annotations

from typing import Any

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.steps.base import StepResult
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import BrandTarget
from layers_reconcile.revb import brand_sendable_b


async def update(ctx: CustomerContext, step: Step, target: BrandTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    assert ctx.spec.brand is not None
    managed: dict[str, Any] = ctx.spec.brand.model_dump(exclude_unset=True)
    if ctx.api.revision == "b":
        managed = brand_sendable_b(managed)
    named = {c.field.split(".")[-1] for c in step.changes}
    # Only the changed fields (guide: "PATCH with only the changed fields"); all of them when the
    # plan could not know the current values yet.
    body = {k: v for k, v in managed.items() if k in named} or managed
    # Setting values is idempotent; no body-derived key (it would replay A -> B -> A stale).
    # Rev B keeps the brand on the project itself.
    await ctx.patch_project(body if ctx.api.revision == "b" else {"brandContext": body})
    return StepResult(detail="brand " + ", ".join(sorted(body)))
