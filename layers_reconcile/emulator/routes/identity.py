"""Who am I, and what do I have: `GET /v1/whoami`, `GET /v1/credits`."""

from __future__ import annotations

from layers_reconcile.emulator import orgs
from layers_reconcile.emulator.http import Reply
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.state import ORGANIZATION_NAME, Emulator

INCLUDED_CREDITS = orgs.INCLUDED_CREDITS


def _used(ctx: Ctx) -> int:
    return credits_used(ctx.emu)


def credits_used(emu: Emulator) -> int:
    org = emu.store.get("org", emu.root_org_id)
    return int(org["creditsUsed"]) if org else 0


def available_credits(emu: Emulator) -> int:
    """What the acting organization may spend (a child: its wallet)."""
    return orgs.balance(emu, emu.org_id)


def whoami(ctx: Ctx) -> Reply:
    emu = ctx.emu
    return Reply(
        200,
        {
            "organizationId": emu.org_id,
            "workspaceId": emu.org_id,
            "organizationName": ORGANIZATION_NAME,
            "scopes": list(ctx.key.scopes),
            "rateLimitTier": emu.settings.reported_tier,
            "killSwitch": False,
            "apiAccessRevoked": False,
            "apiKeyId": ctx.key.id,
            "creditBalance": available_credits(emu),
        },
    )


def whoami_b(ctx: Ctx) -> Reply:
    """Rev B's whoami (CONTRACT.md §3.1): ids prefixed on the way out, no kill-switch booleans.
    Inside a child (its key, or the header) it is the child's, with its parent."""
    emu = ctx.emu
    child = orgs.get(emu, emu.org_id)
    return Reply(
        200,
        {
            "organizationId": emu.org_id,
            "workspaceId": emu.org_id,
            "organizationName": child["name"] if child else ORGANIZATION_NAME,
            "parentOrganizationId": orgs.parent_of(emu, emu.org_id),
            "scopes": list(ctx.key.scopes),
            "rateLimitTier": emu.settings.reported_tier,
            "apiKeyId": ctx.key.id,
            "creditBalance": available_credits(emu),
        },
    )


def credits(ctx: Ctx) -> Reply:
    return Reply(200, orgs.credits_view(ctx.emu, ctx.emu.org_id, ctx.now))


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", "/v1/whoami", whoami, revisions=("a",)),
        RouteSpec("GET", "/v1/whoami", whoami_b, revisions=("b",)),
        RouteSpec("GET", "/v1/credits", credits),
    ]
