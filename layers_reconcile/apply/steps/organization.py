"""A customer's child organization (Rev B): create, migrate into, adopt, update, its credit
config, suspend/resume, each transfer exactly once, and the archive of an orphan (--prune).

Money is irreversible. A transfer is carried out only after the child's ledger was read and
holds no allocation carrying its id, and is sent with the Idempotency-Key of (workspace,
customer, child, transfer id): a run killed between the allocation and anything after it finds
the allocation on the ledger (or, within the API's 24 h, the key replays it) and moves nothing.
"""

from __future__ import annotations

from typing import Any

from layers_reconcile.apply.children import (
    create_child,
    label_child,
    record_transfers,
)
from layers_reconcile.apply.children import workspace_of as _workspace
from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.steps.base import StepResult
from layers_reconcile.config.fieldtypes import (
    ORG_PROJECT_KEY,
    ORG_WORKSPACE_KEY,
)
from layers_reconcile.config.organization import TransferSpec
from layers_reconcile.errors import ConflictError
from layers_reconcile.ids import idempotency_key_for, transfer_key
from layers_reconcile.plan import orgs
from layers_reconcile.plan.address import Address
from layers_reconcile.plan.diff_org import desired_child, desired_config
from layers_reconcile.plan.ids import same_id
from layers_reconcile.plan.model import RESUME_BY_HAND, Step
from layers_reconcile.plan.targets import OrganizationTarget, TransferTarget
from layers_reconcile.records import Migration, Organization

# A migrate refused because a job runs in the project: wait this long at first, doubling.
MIGRATE_WAIT_FIRST = 2.0
MIGRATE_WAIT_CAP = 30.0
MIGRATE_WAIT_TOTAL = 1800.0


def _child_id(ctx: CustomerContext, target: OrganizationTarget | TransferTarget) -> str:
    found = target.organizationId or ctx.organization_id
    if not found:
        raise StepError(f"{ctx.customer}: the child organization is not known yet")
    return found


async def create(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    child = await create_child(ctx)
    ctx.enter(child.id)
    return StepResult(detail=f"created child organization {child.id}")


async def migrate(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    """The flat project into a new child: the API's mapping names the child to make (each
    distinct name is a new child; it moves no project into a child that exists, which the plan
    refuses), then the child is labelled with the tool's stamp. A run killed in between finds
    it by its project (`plan.observe`) and adopts it."""
    project_id = ctx.project_id or target.projectId
    if not project_id:
        raise StepError(f"{ctx.customer}: no project to move")
    if target.organizationId:
        raise StepError(
            f"{ctx.customer}: the API's migrate makes a new child; it moves no project into "
            f"child organization {target.organizationId}",
            recovery="plan again",
        )
    name = desired_child(ctx.spec)["name"]
    moved = await _migrate(ctx, {project_id: name})
    org_id = _child_holding(moved, project_id)
    ctx.organization_id = org_id
    await label_child(ctx, org_id, project_id)
    ctx.enter(org_id)
    return StepResult(detail=f"moved project {project_id} into a new child organization {org_id}")


async def _migrate(ctx: CustomerContext, mapping: dict[str, str]) -> Migration:
    """`POST /v1/organizations/migrate`, waiting while the API refuses it for a running job."""
    key = idempotency_key_for(ctx.customer, "migrate", mapping)
    waited = 0.0
    pause = MIGRATE_WAIT_FIRST
    while True:
        try:
            return await ctx.control.migrate_projects(mapping, key)
        except ConflictError as exc:
            if "projectIds" not in exc.details or waited >= MIGRATE_WAIT_TOTAL:
                raise
            # A job runs in the project: the API moves nothing until it ends.
            async with ctx.slot.waiting():
                await ctx.options.sleep(pause)
            waited += pause
            pause = min(pause * 2, MIGRATE_WAIT_CAP)
            key = idempotency_key_for(ctx.customer, f"migrate/{waited}", mapping)


def _child_holding(moved: Migration, project_id: str) -> str:
    for child in moved.children:
        if child.id and any(same_id(i, project_id) for i in child.project_ids):
            return child.id
    raise StepError(f"the migrate's answer names no child holding project {project_id}")


async def adopt(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    """--take-over: the child carries this workspace's stamp from now on."""
    org_id = _child_id(ctx, target)
    tool = orgs.stamp(ctx.customer, _workspace(ctx))
    if ctx.project_id:
        tool[ORG_PROJECT_KEY] = ctx.project_id
    body: dict[str, Any] = {"metadata": tool}
    body.update(_differences(ctx, await ctx.control.get_organization(org_id)))
    if "metadata" in body and isinstance(body.get("metadata"), dict):
        body["metadata"] = {**body["metadata"], **tool}
    await ctx.control.patch_organization(org_id, body)
    ctx.enter(org_id)
    return StepResult(detail=f"adopted child organization {org_id}")


def _differences(ctx: CustomerContext, child: Organization) -> dict[str, Any]:
    """The child's fields to send: those the file manages that differ; metadata per key (a
    partner key the file no longer has is unset with "")."""
    wanted = desired_child(ctx.spec)
    body: dict[str, Any] = {}
    if wanted["name"] != child.name:
        body["name"] = wanted["name"]
    if "billingEmail" in wanted and wanted["billingEmail"] != child.billing_email:
        body["billingEmail"] = wanted["billingEmail"]
    if "metadata" in wanted:
        have = orgs.partner_metadata(child)
        meta = {k: v for k, v in wanted["metadata"].items() if have.get(k) != v}
        meta.update({k: "" for k in have if k not in wanted["metadata"]})
        if meta:
            body["metadata"] = meta
    return body


async def update(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    """The child's fields (`ID/organization`) or its credit config (`ID/organization/credits`)."""
    if Address.parse(ctx.customer, step.address).parts[1:] == ("credits",):
        return await credit_config(ctx, step, target)
    org_id = _child_id(ctx, target)
    body = _differences(ctx, await ctx.control.get_organization(org_id))
    noted = f"metadata.{ORG_PROJECT_KEY}"
    if ctx.project_id and any(c.field == noted for c in step.changes):
        body["metadata"] = {**body.get("metadata", {}), ORG_PROJECT_KEY: ctx.project_id}
    if not body:
        return StepResult(detail="nothing to update", changed=False)
    await ctx.control.patch_organization(org_id, body)
    return StepResult(detail="updated " + ", ".join(sorted(body)))


async def credit_config(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    """Only the fields that differ (the plan's changes), as the file wants them."""
    org_id = _child_id(ctx, target)
    assert ctx.spec.organization is not None
    wanted = desired_config(ctx.spec.organization)
    body = {c.field: wanted[c.field] for c in step.changes if c.field in wanted}
    if not body:
        return StepResult(detail="nothing to update", changed=False)
    await ctx.control.patch_credit_config(org_id, body)
    return StepResult(detail="credit config: " + ", ".join(sorted(body)))


async def suspend(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    org_id = _child_id(ctx, target)
    await ctx.control.suspend_organization(org_id)
    return StepResult(detail=f"suspended {org_id} (its own keys get 503 KILL_SWITCH)")


async def resume(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    org_id = _child_id(ctx, target)
    await ctx.control.resume_organization(org_id)
    return StepResult(detail=f"resumed {org_id}")


async def wait_for_resume(
    ctx: CustomerContext, step: Step, target: OrganizationTarget
) -> StepResult:
    """A child suspended by hand (the file does not manage `suspended:`): nothing is done inside
    it; the gate reads the child's status until a person resumes it (then apply observes again
    and goes on), archives it (the customer fails: a new child is for a person to decide), or
    the wait ends."""
    org_id = _child_id(ctx, target)

    async def check() -> GateCheck:
        child = await ctx.control.get_organization(org_id)
        if child.status == orgs.ARCHIVED:
            return GateCheck(
                GateState.FAILED,
                f"child organization {org_id} was archived while apply waited for it to be "
                "resumed (archive is terminal: the API resumes no archived child)",
            )
        if child.status == orgs.SUSPENDED:
            return GateCheck(GateState.PENDING)
        return GateCheck(GateState.DONE, f"child organization {org_id} resumed")

    message = step.person.message if step.person else f"resume child organization {org_id}"
    wait = PersonWait(address=step.address, kind=RESUME_BY_HAND, url=None, message=message)
    gate = Gate(wait=wait, check=check, deadline=ctx.gate_deadline())
    return StepResult(detail=f"child organization {org_id} is suspended", gate=gate, changed=False)


async def allocate(ctx: CustomerContext, step: Step, target: TransferTarget) -> StepResult:
    """One transfer, exactly once: the ledger first, then the allocation with its own key."""
    org_id = _child_id(ctx, target)
    transfer_id, credits = target.transferId, target.credits
    workspace = _workspace(ctx)
    done = orgs.carried_out(await ctx.control.list_allocations(org_id))
    if transfer_id in done:
        await record_transfers(ctx, org_id, done)
        return StepResult(
            detail=f"transfer {transfer_id!r} already on the child's ledger "
            f"({done[transfer_id]} credits); nothing moved",
            changed=False,
        )
    entry = next(
        (t for t in (_transfers(ctx)) if t.id == transfer_id),
        None,
    )
    body: dict[str, Any] = {
        "credits": credits,
        "metadata": orgs.allocation_metadata(transfer_id, workspace),
    }
    if entry is not None and entry.description:
        body["description"] = entry.description
    answer = await ctx.control.allocate_credits(
        org_id, body, transfer_key(workspace, ctx.customer, org_id, transfer_id)
    )
    done[transfer_id] = credits
    await record_transfers(ctx, org_id, done)
    again = " (a replay: moved once)" if answer.replayed else ""
    return StepResult(detail=f"moved {credits} credits to {org_id} as {answer.id}{again}")


def _transfers(ctx: CustomerContext) -> list[TransferSpec]:
    org = ctx.spec.organization
    return list((org.credits.transfers if org and org.credits else None) or [])


async def archive(ctx: CustomerContext, step: Step, target: OrganizationTarget) -> StepResult:
    """--prune: an orphan child this workspace stamped, archived for good (credits swept back)."""
    org_id = target.organizationId
    if not org_id:
        raise StepError("no child organization to archive")
    child = await ctx.control.get_organization(org_id)
    if not ctx.workspace or child.meta(ORG_WORKSPACE_KEY) != ctx.workspace:
        raise StepError(
            f"child organization {org_id} is not stamped by workspace {ctx.workspace!r}; "
            "not archived",
            recovery="archive it by hand if it really should go",
        )
    owner = orgs.customer_of(child)
    if owner != ctx.customer:  # a saved plan edited, or the child relabelled since
        raise StepError(
            f"child organization {org_id} is customer {owner!r}'s, not the orphan "
            f"{ctx.customer!r}'s; not archived",
            recovery="plan again (`plan --prune --out FILE`) and apply the new plan",
        )
    if child.status == "archived":
        return StepResult(detail="already archived", changed=False)
    answer = await ctx.control.archive_organization(org_id)
    back = answer.reclaimed_credits
    swept = f"; {int(back)} credits swept back to the parent" if back is not None else ""
    return StepResult(detail=f"archived child organization {org_id}{swept}")
