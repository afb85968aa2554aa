"""A child organization's credits: wallet, ledger, allocate and credit-config (Rev B)."""

from __future__ import annotations

import json

from layers_reconcile.emulator import orgs, queries
from layers_reconcile.emulator.common import JSON, canonical, digest, parse_instant
from layers_reconcile.emulator.common import parse_uuid as _parse_uuid
from layers_reconcile.emulator.dispatcher import IDEMPOTENCY_TTL
from layers_reconcile.emulator.http import (
    ApiError,
    Reply,
    idempotency_conflict,
    invalid,
    listing,
    paginate,
)
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.organizations import AllocateCredits, PatchCreditConfig
from layers_reconcile.emulator.routes.org_base import ADMIN, ORG, live, touch

ALLOCATION_RECORD = "allocation_idem"


def child_credits(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    return Reply(200, orgs.credits_view(ctx.emu, doc["id"], ctx.now))


def _events(ctx: Ctx, org_id: str) -> Reply:
    q = ctx.query_as(queries.CreditEventsQuery)
    events = orgs.events_of(ctx.emu, org_id)
    if q.projectId is not None:
        project = _parse_uuid(q.projectId, "prj")
        if project is None:
            raise invalid("projectId", "must be a project id (prj_<uuid> or <uuid>)")
        events = [e for e in events if e["_project"] == project]
    if q.eventType is not None:
        events = [e for e in events if e["eventType"] == q.eventType]
    since = parse_instant(q.since) if q.since else None
    until = parse_instant(q.until) if q.until else None
    events = [
        e
        for e in events
        if (since is None or e["_ts"] >= since) and (until is None or e["_ts"] < until)
    ]
    page, cursor = paginate(events, lambda e: (-e["_seq"],), q.cursor, q.limit or 25)
    return Reply(200, listing([orgs.event_view(e) for e in page], cursor))


def child_events(ctx: Ctx) -> Reply:
    return _events(ctx, orgs.child(ctx.emu, ctx.params["orgId"])["id"])


def own_events(ctx: Ctx) -> Reply:
    """`GET /v1/credits/events`: the acting organization's own ledger."""
    return _events(ctx, ctx.emu.org_id)


def allocate(ctx: Ctx) -> Reply:
    """A transfer from the parent, exactly once per Idempotency-Key (required; 24 h window)."""
    emu = ctx.emu
    doc = orgs.child(emu, ctx.params["orgId"])
    idem = ctx.request.headers.get("idempotency-key", "").strip()
    if not idem:
        raise ApiError(
            400,
            "IDEMPOTENCY_REQUIRED",
            "POST /v1/organizations/:orgId/credits/allocate needs an Idempotency-Key header.",
            {"header": "Idempotency-Key"},
        )
    if len(idem) > 255:
        raise invalid("Idempotency-Key", "must be at most 255 characters")
    body = ctx.body_as(AllocateCredits)
    record_id = digest("allocate", emu.org_id, doc["id"], idem)
    fingerprint = digest(canonical(ctx.body))
    record = emu.store.get(ALLOCATION_RECORD, record_id)
    if record is not None and ctx.now - record["_createdTs"] < IDEMPOTENCY_TTL:
        if record["fingerprint"] != fingerprint:
            raise idempotency_conflict(idem)
        return Reply(200, {**json.loads(record["body"]), "replayed": True})
    live(doc)
    txn = orgs.transfer(
        emu, doc, body.credits, ctx.now, description=body.description, metadata=body.metadata
    )
    held = orgs.balance(emu, doc["id"])
    reply: JSON = {
        "id": txn,
        "organizationId": doc["id"],
        "credits": body.credits,
        "allocated": body.credits,
        "created": orgs.iso_b(ctx.now),
        "description": body.description,
        "metadata": dict(body.metadata or {}),
        "balance": held,
        "available": held,
        "replayed": False,
    }
    emu.store.put(
        ALLOCATION_RECORD,
        {
            "id": record_id,
            "fingerprint": fingerprint,
            "body": json.dumps(reply),
            "_createdTs": ctx.now,
        },
    )
    orgs.refill(emu, doc, ctx.now)
    return Reply(200, reply)


def _config(ctx: Ctx, doc: JSON) -> JSON:
    held = orgs.balance(ctx.emu, doc["id"])
    return {
        "organizationId": doc["id"],
        "config": orgs.config_view(doc),
        "balance": held,
        "available": held,
    }


def get_config(ctx: Ctx) -> Reply:
    return Reply(200, _config(ctx, orgs.child(ctx.emu, ctx.params["orgId"])))


def patch_config(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    body = ctx.body_as(PatchCreditConfig)
    live(doc)
    config = {**doc["creditConfig"], **body.model_dump(include=body.model_fields_set)}
    if (config["refillThreshold"] is None) != (config["refillAmount"] is None):
        issues = [
            {
                "path": name,
                "message": "refillThreshold and refillAmount are set together or both null",
            }
            for name in ("refillThreshold", "refillAmount")
            if config[name] is None
        ]
        raise ApiError(
            422,
            "VALIDATION",
            "auto-refill needs both refillThreshold and refillAmount (or neither)",
            {"issues": issues},
        )
    doc["creditConfig"] = config
    touch(ctx, doc)
    orgs.refill(ctx.emu, doc, ctx.now)
    return Reply(200, _config(ctx, doc))


def routes() -> list[RouteSpec]:
    b = ("b",)
    q = queries
    return [
        RouteSpec("GET", ORG + "/credits", child_credits, ADMIN, revisions=b),
        RouteSpec(
            "GET",
            ORG + "/credits/events",
            child_events,
            ADMIN,
            query=q.CreditEventsQuery,
            revisions=b,
        ),
        RouteSpec(
            "POST",
            ORG + "/credits/allocate",
            allocate,
            ADMIN,
            idempotent=False,
            body=AllocateCredits,
            revisions=b,
            extra_errors=("400", "402"),
        ),
        RouteSpec("GET", ORG + "/credit-config", get_config, ADMIN, revisions=b),
        RouteSpec(
            "PATCH",
            ORG + "/credit-config",
            patch_config,
            ADMIN,
            body=PatchCreditConfig,
            revisions=b,
        ),
    ]
