"""Content: generate (Rev A generic route), list, get, regenerate, approve, reject."""

from __future__ import annotations

from layers_reconcile.emulator import containers, fakes, lookups
from layers_reconcile.emulator.common import (
    JSON,
    canonical,
    iso,
    new_uuid,
    parse_instant,
    parse_uuid,
    pid,
)
from layers_reconcile.emulator.http import (
    Fields,
    Reply,
    conflict,
    invalid,
    listing,
    paginate,
    parse_limit,
)
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.resources import job_accepted

PLATFORMS = ("tiktok", "instagram")
STATUSES = ("queued", "generating", "processing", "completed", "failed", "canceled")
APPROVALS = ("not_required", "pending", "approved", "rejected")


def _brief(f: Fields | None, ctx: Ctx, project: JSON) -> JSON:
    if f is None:
        return {}
    f.string("hook", max_len=2000)
    for key in ("cta", "topic", "angle"):
        f.string(key, max_len=500)
    f.strings("valuePropositions", max_items=20, max_len=500)
    f.strings("targetPlatforms", options=PLATFORMS, min_items=1, max_items=2)
    f.strings("themeTags", max_items=20, max_len=64)
    f.strings("referenceMediaIds", max_items=20)
    f.string("language", min_len=2, max_len=35)
    raw = f.data.get("influencerId")
    if raw is not None:
        ident = parse_uuid(raw, "inf")
        doc = ctx.emu.store.get("influencer", ident) if ident else None
        if doc is None or doc["projectId"] != project["id"] or doc["status"] == "deleted":
            f.add("influencerId", "is not an influencer of this project")
    return dict(f.data)


def _accepted(ctx: Ctx, job: JSON, ids: list[str], fmt: str) -> JSON:
    body = job_accepted(job, ctx.now)
    body.update(containerIds=[pid("cnt", i) for i in ids], format=fmt)
    return body


def generate(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
    f = Fields(ctx.body)
    ident = None
    if f.data.get("id") is not None:
        ident = parse_uuid(f.data["id"], "cnt")
        if ident is None:
            f.add("id", "must be a uuid")
    layer = f.string("projectLayerId", max_len=100)
    content_layers = [x["projectLayerId"] for x in project["layers"] if x["kind"] == "content"]
    if layer is not None and layer not in content_layers:
        f.add("projectLayerId", "is not a content layer of this project")
    fmt = f.choice("format", (*fakes.FORMATS, "auto"), default="auto")
    count = f.integer("variantCount", lo=1, hi=5, default=1)
    brief = _brief(f.mapping("brief", required=True), ctx, project)
    f.check()
    assert fmt is not None
    assert count is not None
    request = {"format": fmt, "variantCount": count, "brief": brief}
    existing = emu.store.get("container", ident) if ident else None
    if existing is not None:
        if existing["projectId"] != project["id"]:
            raise conflict(
                "this content id belongs to another project", containerId=pid("cnt", existing["id"])
            )
        if canonical(existing["request"]) != canonical(request):
            raise conflict(
                "this content id was generated with a different brief, format or variantCount",
                containerId=pid("cnt", existing["id"]),
                field="brief",
            )
        job = emu.store.get("job", existing["createJobId"])
        assert job is not None
        return Reply(202, _accepted(ctx, job, job["payload"]["containerIds"], existing["format"]))
    resolved = fakes.resolve_format(fmt, brief)
    job, docs = containers.generate(emu, project, ident or new_uuid(), request, resolved, ctx.now)
    return Reply(202, _accepted(ctx, job, [d["id"] for d in docs], resolved))


def _instant(ctx: Ctx, name: str) -> float | None:
    raw = ctx.query.get(name)
    if raw is None:
        return None
    value = parse_instant(raw)
    if value is None:
        raise invalid(name, "must be an ISO-8601 instant with an offset, e.g. 2026-04-18T22:00:00Z")
    return value


def _choices(ctx: Ctx, name: str, options: tuple[str, ...]) -> set[str] | None:
    values = [v for raw in ctx.query.getlist(name) for v in raw.split(",") if v]
    for value in values:
        if value not in options:
            raise invalid(name, f"must be one of {', '.join(options)}")
    return set(values) or None


def list_content(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    limit = parse_limit(ctx.query, 25, 200)
    statuses = _choices(ctx, "status", STATUSES)
    if statuses and "processing" in statuses:
        statuses.add("generating")
    formats = _choices(ctx, "format", fakes.FORMATS)
    approvals = _choices(ctx, "approvalStatus", APPROVALS)
    since, until = _instant(ctx, "since"), _instant(ctx, "until")
    docs = []
    for doc in emu.store.children("container", project["id"]):
        if statuses and containers.status_of(emu, doc, ctx.now) not in statuses:
            continue
        if (formats and doc["format"] not in formats) or (
            approvals and doc["approvalStatus"] not in approvals
        ):
            continue
        if (since is not None and doc["_createdTs"] < since) or (
            until is not None and doc["_createdTs"] > until
        ):
            continue
        docs.append(doc)
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), ctx.query.get("cursor"), limit)
    return Reply(200, listing([containers.container_item(emu, d, ctx.now) for d in page], cursor))


def get_content(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "container", ctx.params["containerId"], "containerId")
    return Reply(200, containers.container_view(ctx.emu, doc, ctx.now))


def regenerate(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    project = lookups.project(emu, doc["projectId"], active=True, param="containerId")
    if doc["status"] == "generating":
        raise conflict(
            "the content is still generating", status="generating", jobId=pid("job", doc["jobId"])
        )
    f = Fields(ctx.body)
    patch = f.mapping("brief")
    references = f.mapping("references")
    if references is not None:
        references.strings("sourcePostIds", max_items=20)
        references.strings("assetIds", max_items=20)
    preserve = f.boolean("preserveAssets", default=False)
    merged = {**doc["brief"], **(patch.data if patch else {})}
    brief = _brief(Fields(merged, prefix="brief.", issues=f.issues), ctx, project)
    f.check()
    job = containers.regenerate(emu, project, doc, brief, bool(preserve), ctx.now)
    body = _accepted(ctx, job, [doc["id"]], doc["format"])
    body["containerId"] = pid("cnt", doc["id"])
    return Reply(202, body)


def approve(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "container", ctx.params["containerId"], "containerId")
    f = Fields(ctx.body)
    note = f.string("note", max_len=1024)
    f.check()
    return Reply(200, containers.approve(ctx.emu, doc, ctx.key.id, note, ctx.now))


def reject(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    f = Fields(ctx.body)
    reason = f.string("reason", required=True, min_len=1, max_len=1024)
    patch = f.mapping("regenerateBrief")
    project: JSON | None = None
    brief: JSON = {}
    if patch is not None:
        project = lookups.project(emu, doc["projectId"], active=True, param="containerId")
        merged = Fields({**doc["brief"], **patch.data}, prefix="regenerateBrief.", issues=f.issues)
        brief = _brief(merged, ctx, project)
    f.check()
    if doc["approvalStatus"] != "pending":
        raise conflict(
            f"only pending content can be rejected (it is {doc['approvalStatus']})",
            approvalStatus=doc["approvalStatus"],
        )
    if project is not None and doc["status"] == "generating":
        raise conflict("the content is still generating", status="generating")
    doc.update(
        approvalStatus="rejected",
        rejectedAt=iso(ctx.now),
        rejectedBy=ctx.key.id,
        rejectionReason=reason,
        intents=[],
        updatedAt=iso(ctx.now),
    )
    emu.store.put("container", doc)
    body: JSON = {
        "id": pid("cnt", doc["id"]),
        "approvalStatus": "rejected",
        "rejectedAt": doc["rejectedAt"],
        "rejectedBy": doc["rejectedBy"],
        "reason": reason,
    }
    if project is not None:
        job = containers.regenerate(emu, project, doc, brief, False, ctx.now)
        body["regeneration"] = {
            "jobId": pid("job", job["id"]),
            "status": job["status"],
            "approvalStatus": doc["approvalStatus"],
        }
    return Reply(200, body)


def routes() -> list[RouteSpec]:
    return [
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/content",
            generate,
            ("content:write",),
            endpoint_class="long-running",
        ),
        RouteSpec("GET", "/v1/projects/{projectId}/content", list_content, ("content:read",)),
        RouteSpec("GET", "/v1/content/{containerId}", get_content, ("content:read",)),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/regenerate",
            regenerate,
            ("content:write",),
            endpoint_class="long-running",
        ),
        RouteSpec("POST", "/v1/content/{containerId}/approve", approve, ("content:approve",)),
        RouteSpec("POST", "/v1/content/{containerId}/reject", reject, ("content:approve",)),
    ]
