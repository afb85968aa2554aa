"""What the organization routes share: their paths, the child's row, and its liveness."""

from __future__ import annotations

from layers_reconcile.emulator import orgs
from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.http import conflict
from layers_reconcile.emulator.pipeline import Ctx
from layers_reconcile.emulator.state import ORG_ADMIN

ADMIN = (ORG_ADMIN,)
BASE = "/v1/organizations"
ORG = BASE + "/{orgId}"


def org_row(doc: JSON) -> JSON:
    return {
        "id": doc["id"],
        "parentOrganizationId": doc["parentOrganizationId"],
        "name": doc["name"],
        "status": doc["status"],
        "metadata": dict(doc["metadata"]),
        "billingEmail": doc["billingEmail"],
        "archivedAt": doc["archivedAt"],
        "createdAt": doc["createdAt"],
        "updatedAt": doc["updatedAt"],
    }


def live(doc: JSON) -> None:
    """Archived is terminal: refuse any change to an archived child."""
    if doc["status"] == "archived":
        raise conflict(
            "the organization is archived (terminal); a returning customer needs a new one",
            organizationId=doc["id"],
            status="archived",
        )


def touch(ctx: Ctx, doc: JSON) -> None:
    doc["updatedAt"] = orgs.iso_b(ctx.now)
    ctx.emu.store.put(orgs.KIND, doc)
