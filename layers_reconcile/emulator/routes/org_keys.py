"""A child organization's API keys: mint, list, rotate, delete (Rev B)."""

from __future__ import annotations

from layers_reconcile.emulator import orgs, queries
from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.common import parse_uuid as _parse_uuid
from layers_reconcile.emulator.http import (
    ApiError,
    Reply,
    conflict,
    invalid,
    listing,
    not_found,
    paginate,
)
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.organizations import MintChildKey
from layers_reconcile.emulator.routes.org_base import ADMIN, ORG, live
from layers_reconcile.emulator.state import ORG_ADMIN

GRACE = 24 * 3600.0


def keys_of(ctx: Ctx, org_id: str) -> list[JSON]:
    return [k for k in ctx.emu.store.all("apikey") if k.get("organizationId") == org_id]


def key_row(doc: JSON) -> JSON:
    return {
        "id": doc["id"],
        "organizationId": doc["organizationId"],
        "name": doc["name"],
        "prefix": doc["prefix"],
        "env": doc["env"],
        "scopes": list(doc["scopes"]),
        "rateLimitTier": doc["rateLimitTier"],
        "status": doc["status"],
        "createdAt": doc["createdAt"],
        "lastUsedAt": None,
        "rotatedAt": doc["rotatedAt"],
        "revokedAt": doc["revokedAt"],
        "graceUntil": doc["graceUntil"],
        "supersededBy": doc["supersededBy"],
    }


def _mint(ctx: Ctx, org: JSON, name: str, scopes: list[str], env: str) -> JSON:
    emu = ctx.emu
    extra = {
        "organizationId": org["id"],
        "env": env,
        "status": "active",
        "rateLimitTier": "sandbox" if env == "test" else emu.settings.reported_tier,
        "rotatedAt": None,
        "revokedAt": None,
        "graceUntil": None,
        "supersededBy": None,
    }
    raw, doc = emu.create_key(scopes, None, name, extra)
    doc["createdAt"] = orgs.iso_b(ctx.now)
    doc["prefix"] = raw[: len(f"lp_{env}_") + 4] + "…"
    emu.store.put("apikey", doc)
    return {**key_row(doc), "secret": raw}


def mint_key(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    body = ctx.body_as(MintChildKey)
    live(doc)
    held = ctx.key.scopes
    for scope in body.scopes:
        if scope == ORG_ADMIN or ("*" not in held and scope not in held):
            why = "is never delegated" if scope == ORG_ADMIN else "is not held by this key"
            raise ApiError(
                403,
                "FORBIDDEN_SCOPE",
                f"A child key cannot have the scope {scope}: it {why}.",
                {"scope": scope, "grantedScopes": list(held)},
            )
    minted = _mint(ctx, doc, body.name, list(dict.fromkeys(body.scopes)), body.env or "live")
    return Reply(201, minted)


def list_keys(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    q = ctx.query_as(queries.Page100)
    page, cursor = paginate(
        keys_of(ctx, doc["id"]), lambda k: (-k["_seq"],), q.cursor, q.limit or 25
    )
    return Reply(200, listing([key_row(k) for k in page], cursor))


def _child_key(ctx: Ctx, org: JSON) -> JSON:
    raw = ctx.params["keyId"]
    ident = _parse_uuid(raw, "key")
    if ident is None:
        raise invalid("keyId", "must be an API key id (key_<uuid> or <uuid>)")
    doc = ctx.emu.store.get("apikey", ident)
    if doc is None or doc.get("organizationId") != org["id"]:
        raise not_found("API key", raw)
    return doc


def rotate_key(ctx: Ctx) -> Reply:
    """A new secret (new id, same scopes); the old one keeps working for 24 hours."""
    org = orgs.child(ctx.emu, ctx.params["orgId"])
    old = _child_key(ctx, org)
    live(org)
    if old["status"] != "active" or old["supersededBy"] is not None:
        raise conflict(
            "only the current, active key of a chain can be rotated",
            apiKeyId=f"key_{old['id']}",
            supersededBy=old["supersededBy"],
        )
    new = _mint(ctx, org, old["name"], list(old["scopes"]), old["env"])
    old.update(
        supersededBy=new["id"],
        rotatedAt=orgs.iso_b(ctx.now),
        graceUntil=orgs.iso_b(ctx.now + GRACE),
        _graceTs=ctx.now + GRACE,
    )
    ctx.emu.store.put("apikey", old)
    return Reply(201, new)


def delete_key(ctx: Ctx) -> Reply:
    org = orgs.child(ctx.emu, ctx.params["orgId"])
    doc = _child_key(ctx, org)
    if doc["status"] != "revoked":  # immediate: no grace
        doc.update(status="revoked", revokedAt=orgs.iso_b(ctx.now))
        ctx.emu.store.put("apikey", doc)
    return Reply(200, {"apiKey": key_row(doc), "revokedAt": doc["revokedAt"], "deleted": True})


def routes() -> list[RouteSpec]:
    b = ("b",)
    q = queries
    return [
        RouteSpec(
            "POST",
            ORG + "/api-keys",
            mint_key,
            ADMIN,
            body=MintChildKey,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "GET",
            ORG + "/api-keys",
            list_keys,
            ADMIN,
            query=q.Page100,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "POST",
            ORG + "/api-keys/{keyId}/rotate",
            rotate_key,
            ADMIN,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "DELETE", ORG + "/api-keys/{keyId}", delete_key, ADMIN, revisions=b, id_prefix="key"
        ),
    ]
