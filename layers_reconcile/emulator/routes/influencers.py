"""Influencers: list, get, create (a job of about a minute), patch, soft delete."""

from __future__ import annotations

from layers_reconcile.emulator import fakes, lookups, queries
from layers_reconcile.emulator.common import JSON, iso, new_uuid, pid
from layers_reconcile.emulator.http import Reply, conflict, listing, paginate
from layers_reconcile.emulator.jobs import start_job
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.influencers import (
    PERSONA,
    CreateInfluencer,
    CreateInfluencerB,
    PatchInfluencer,
    PatchInfluencerB,
)
from layers_reconcile.emulator.requests.shared import Reason
from layers_reconcile.emulator.resources import (
    influencer_item,
    influencer_status,
    influencer_view,
    job_accepted,
    new_influencer,
)


def list_influencers(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    q = ctx.query_as(queries.InfluencersQuery)
    status = q.status
    docs = [
        d
        for d in emu.store.children("influencer", project["id"])
        if d["status"] != "deleted"
        and (status is None or influencer_status(emu.store, d, ctx.now) == status)
    ]
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), q.cursor, q.limit or 25)
    return Reply(200, listing([influencer_item(emu.store, d, ctx.now) for d in page], cursor))


def get_influencer(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "influencer", ctx.params["influencerId"], "influencerId")
    return Reply(200, influencer_view(ctx.emu.store, doc, ctx.now))


def create_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
    body = ctx.body_as(CreateInfluencer)
    ident, name = body.influencerId, body.name
    persona = body.model_dump(exclude_unset=True, include=set(PERSONA))
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


def start_generated(ctx: Ctx, project: JSON, hints: JSON) -> JSON:
    """Start a Rev B `influencer_create` job: Layers names the influencer from the hints."""
    emu = ctx.emu
    ident = new_uuid()
    target = project.get("targetGender")
    gender = hints.get("gender") or (target if target in ("female", "male") else "female")
    age_range = hints.get("ageRange") or "young_adult"
    persona = fakes.generated_influencer(ident, gender, age_range, emu.settings.seed)
    if hints.get("prompt"):
        persona["vibe"] = hints["prompt"]
    job = start_job(
        emu,
        "influencer_create",
        project["id"],
        ctx.now,
        links={"influencerId": pid("inf", ident)},
        payload={"influencerId": ident},
    )
    doc = new_influencer(ident, project, persona, ctx.now, job_id=job["id"], ready=False)
    emu.store.put("influencer", doc)
    return job


def create_influencer_b(ctx: Ctx) -> Reply:
    project = lookups.project(ctx.emu, ctx.params["projectId"], active=True, param="projectId")
    hints = ctx.body_as(CreateInfluencerB).model_dump(exclude_unset=True)
    return Reply(202, job_accepted(start_generated(ctx, project, hints), ctx.now))


def patch_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "influencer", ctx.params["influencerId"], "influencerId")
    body = ctx.body_as(PatchInfluencer)
    changes: JSON = body.model_dump(exclude_unset=True, include={"name"})
    persona = body.model_dump(exclude_unset=True, include=set(PERSONA))
    if "personality" in persona and persona["personality"] is not None:
        persona["personality"] = {**(doc.get("personality") or {}), **persona["personality"]}
    doc.update(changes)
    doc.update(persona)
    doc["updatedAt"] = iso(ctx.now)
    emu.store.put("influencer", doc)
    return Reply(200, influencer_view(emu.store, doc, ctx.now))


def patch_influencer_b(ctx: Ctx) -> Reply:
    """Rev B: the identity fields of CONTRACT-revb.md §11 (`ageRange` may be cleared with null)."""
    emu = ctx.emu
    doc = lookups.find(emu, "influencer", ctx.params["influencerId"], "influencerId")
    doc.update(ctx.body_as(PatchInfluencerB).model_dump(exclude_unset=True))
    doc["updatedAt"] = iso(ctx.now)
    emu.store.put("influencer", doc)
    return Reply(200, influencer_view(emu.store, doc, ctx.now))


def delete_influencer(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "influencer", ctx.params["influencerId"], "influencerId")
    ctx.body_as(Reason)
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
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/influencers",
            list_influencers,
            read_any,
            query=queries.InfluencersQuery,
        ),
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/influencers",
            create_influencer,
            write,
            endpoint_class="long-running",
            body=CreateInfluencer,
            revisions=("a",),
        ),
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/influencers",
            create_influencer_b,
            write,
            endpoint_class="long-running",
            body=CreateInfluencerB,
            revisions=("b",),
        ),
        RouteSpec("GET", "/v1/influencers/{influencerId}", get_influencer, read_any),
        RouteSpec(
            "PATCH",
            "/v1/influencers/{influencerId}",
            patch_influencer,
            write,
            body=PatchInfluencer,
            revisions=("a",),
        ),
        RouteSpec(
            "PATCH",
            "/v1/influencers/{influencerId}",
            patch_influencer_b,
            write,
            body=PatchInfluencerB,
            revisions=("b",),
        ),
        RouteSpec(
            "DELETE",
            "/v1/influencers/{influencerId}",
            delete_influencer,
            write,
            body=Reason,
        ),
    ]
