"""Influencers: list, get, create (a job of about a minute), patch, soft delete."""

from __future__ import annotations

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.common import JSON, iso, new_uuid, parse_uuid, pid
from layers_reconcile.emulator.http import (
    Fields,
    Reply,
    conflict,
    invalid,
    listing,
    paginate,
    parse_limit,
)
from layers_reconcile.emulator.jobs import start_job
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.resources import (
    influencer_item,
    influencer_status,
    influencer_view,
    job_accepted,
    new_influencer,
)

GENDERS = ("male", "female", "nonbinary", "unspecified")
STATUSES = ("draft", "pending", "training", "ready", "failed")
TEXT_LIMITS = {
    "ageRange": 16,
    "ethnicity": 128,
    "bodyType": 128,
    "hairColor": 64,
    "hairStyle": 128,
    "style": 256,
    "vibe": 256,
    "voiceDescription": 1024,
    "brandVoice": 1024,
    "language": 35,
}


def _persona(f: Fields, *, nullable: bool) -> JSON:
    values: JSON = {}
    if f.has("gender"):
        values["gender"] = f.choice("gender", GENDERS, nullable=nullable)
    for key, limit in TEXT_LIMITS.items():
        if f.has(key):
            values[key] = f.string(key, max_len=limit, nullable=nullable)
    if f.has("personality"):
        sub = f.mapping("personality", nullable=nullable)
        values["personality"] = sub.data if sub is not None else None
    return values


def list_influencers(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    limit = parse_limit(ctx.query, 25, 100)
    status = ctx.query.get("status")
    if status is not None and status not in STATUSES:
        raise invalid("status", f"must be one of {', '.join(STATUSES)}")
    docs = [
        d
        for d in emu.store.children("influencer", project["id"])
        if d["status"] != "deleted"
        and (status is None or influencer_status(emu.store, d, ctx.now) == status)
    ]
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), ctx.query.get("cursor"), limit)
    return Reply(200, listing([influencer_item(emu.store, d, ctx.now) for d in page], cursor))


def get_influencer(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "influencer", ctx.params["influencerId"], "influencerId")
    return Reply(200, influencer_view(ctx.emu.store, doc, ctx.now))


def create_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
    f = Fields(ctx.body)
    name = f.string("name", required=True, min_len=1, max_len=128)
    ident = None
    if f.data.get("influencerId") is not None:
        ident = parse_uuid(f.data["influencerId"], "inf")
        if ident is None:
            f.add("influencerId", "must be a uuid")
    persona = _persona(f, nullable=False)
    refs = f.mapping("referenceImages")
    if refs is not None:
        refs.strings("assetIds", min_items=1, max_items=20)
    f.check()
    if ident is not None and emu.store.get("influencer", ident) is not None:
        raise conflict(
            "an influencer with this influencerId already exists", influencerId=pid("inf", ident)
        )
    ident = ident or new_uuid()
    job = start_job(
        emu,
        "influencer_create",
        project["id"],
        ctx.now,
        links={"influencerId": pid("inf", ident)},
        payload={"influencerId": ident},
    )
    doc = new_influencer(
        ident, project, {"name": name, **persona}, ctx.now, job_id=job["id"], ready=False
    )
    emu.store.put("influencer", doc)
    return Reply(202, job_accepted(job, ctx.now))


def patch_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "influencer", ctx.params["influencerId"], "influencerId")
    f = Fields(ctx.body)
    f.only(("name", "gender", "personality", *TEXT_LIMITS))
    if not f.data and not f.issues:
        f.add("", "at least one field is required")
    changes: JSON = {}
    if f.has("name"):
        changes["name"] = f.string("name", min_len=1, max_len=128)
    persona = _persona(f, nullable=True)
    f.check()
    if "personality" in persona and persona["personality"] is not None:
        persona["personality"] = {**(doc.get("personality") or {}), **persona["personality"]}
    doc.update(changes)
    doc.update(persona)
    doc["updatedAt"] = iso(ctx.now)
    emu.store.put("influencer", doc)
    return Reply(200, influencer_view(emu.store, doc, ctx.now))


def delete_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "influencer", ctx.params["influencerId"], "influencerId")
    f = Fields(ctx.body)
    f.string("reason", max_len=1024)
    f.check()
    doc.update(status="deleted", deletedAt=iso(ctx.now), updatedAt=iso(ctx.now))
    emu.store.put("influencer", doc)
    return Reply(
        200,
        {"influencerId": pid("inf", doc["id"]), "status": "deleted", "deletedAt": doc["deletedAt"]},
    )


def routes() -> list[RouteSpec]:
    write = ("influencers:write",)
    read_any = ("projects:read", "influencers:write")
    return [
        RouteSpec("GET", "/v1/projects/{projectId}/influencers", list_influencers, read_any),
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/influencers",
            create_influencer,
            write,
            endpoint_class="long-running",
        ),
        RouteSpec("GET", "/v1/influencers/{influencerId}", get_influencer, read_any),
        RouteSpec("PATCH", "/v1/influencers/{influencerId}", patch_influencer, write),
        RouteSpec("DELETE", "/v1/influencers/{influencerId}", delete_influencer, write),
    ]
