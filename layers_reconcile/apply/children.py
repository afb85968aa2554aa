"""What apply keeps on a customer's child organization (Rev B), shared by the step handlers.

The child's metadata carries the tool's identity keys (`plan.orgs.stamp`), the project inside
it and the transfers carried out (shortcuts that keep a no-op plan cheap; the ledger stays the
truth before money moves). Metadata merges per key, so each write sends only the tool's keys.
"""

from __future__ import annotations

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.config.fieldtypes import ORG_PROJECT_KEY, ORG_TRANSFERS_KEY
from layers_reconcile.ids import organization_key
from layers_reconcile.plan import orgs
from layers_reconcile.plan.diff_org import desired_child
from layers_reconcile.records import Organization


def workspace_of(ctx: CustomerContext) -> str:
    if not ctx.workspace:  # validate refuses it; a saved plan of an old layers.yaml may not
        raise RuntimeError("a child organization needs `workspace:` in layers.yaml")
    return ctx.workspace


async def create_child(ctx: CustomerContext) -> Organization:
    """The customer's child, stamped as it is made (one Idempotency-Key per customer and
    archived children of it: `ids.child_round`), so a run killed right after finds it by its
    stamp, or replays it, and never makes a second one; a customer whose child was archived
    gets a new one, not the archived one replayed."""
    workspace = workspace_of(ctx)
    wanted = desired_child(ctx.spec)
    metadata = {**wanted.get("metadata", {}), **orgs.stamp(ctx.customer, workspace)}
    body = {**wanted, "metadata": metadata}
    key = organization_key(workspace, ctx.customer, ctx.archived_children)
    return await ctx.control.create_organization(body, key)


async def label_child(ctx: CustomerContext, organization_id: str, project_id: str) -> None:
    """A child the API made (a migrate names only its name): the file's fields and the tool's
    stamp, so later runs find it as this customer's."""
    workspace = workspace_of(ctx)
    wanted = desired_child(ctx.spec)
    metadata = {
        **wanted.get("metadata", {}),
        **orgs.stamp(ctx.customer, workspace),
        ORG_PROJECT_KEY: project_id,
    }
    body = {**wanted, "metadata": metadata}
    await ctx.control.patch_organization(organization_id, body)


async def record_project(ctx: CustomerContext, project_id: str) -> None:
    """Note the project inside the child on the child (plan reads it instead of a lookup)."""
    if ctx.organization_id is None:
        return
    await ctx.control.patch_organization(
        ctx.organization_id, {"metadata": {ORG_PROJECT_KEY: project_id}}
    )


async def record_transfers(
    ctx: CustomerContext, organization_id: str, done: dict[str, int]
) -> None:
    await ctx.control.patch_organization(
        organization_id, {"metadata": {ORG_TRANSFERS_KEY: orgs.transfers_record(done)}}
    )
