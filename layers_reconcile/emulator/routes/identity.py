"""Who am I, and what do I have: `GET /v1/whoami`, `GET /v1/credits`."""

from __future__ import annotations

from layers_reconcile.emulator import fakes
from layers_reconcile.emulator.http import Reply
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.state import ORGANIZATION_NAME, Emulator

INCLUDED_CREDITS = 100_000


def _used(ctx: Ctx) -> int:
    return credits_used(ctx.emu)


def credits_used(emu: Emulator) -> int:
    org = emu.store.get("org", emu.org_id)
    return int(org["creditsUsed"]) if org else 0


def available_credits(emu: Emulator) -> int:
    return INCLUDED_CREDITS - credits_used(emu)


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
            "creditBalance": INCLUDED_CREDITS - _used(ctx),
        },
    )


def whoami_b(ctx: Ctx) -> Reply:
    """Rev B's whoami (CONTRACT.md §3.1): ids prefixed on the way out, no kill-switch booleans."""
    emu = ctx.emu
    return Reply(
        200,
        {
            "organizationId": emu.org_id,
            "workspaceId": emu.org_id,
            "organizationName": ORGANIZATION_NAME,
            "parentOrganizationId": None,
            "scopes": list(ctx.key.scopes),
            "rateLimitTier": emu.settings.reported_tier,
            "apiKeyId": ctx.key.id,
            "creditBalance": available_credits(emu),
        },
    )


def credits(ctx: Ctx) -> Reply:
    used = _used(ctx)
    balance = INCLUDED_CREDITS - used
    return Reply(
        200,
        {
            "organizationId": ctx.emu.org_id,
            "balance": balance,
            "available": balance,
            "includedRemaining": balance,
            "prepaidBalance": 0,
            "reservedCredits": 0,
            "includedThisPeriod": INCLUDED_CREDITS,
            "usedThisPeriod": used,
            "subscriptionTier": "partner",
            "billingStatus": "active",
            "estimatedCreditsPerFormat": dict(fakes.CREDITS_PER_FORMAT),
            "ingestCostsBilled": {"github": False, "website": False, "appstore": False},
        },
    )


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", "/v1/whoami", whoami, revisions=("a",)),
        RouteSpec("GET", "/v1/whoami", whoami_b, revisions=("b",)),
        RouteSpec("GET", "/v1/credits", credits),
    ]
