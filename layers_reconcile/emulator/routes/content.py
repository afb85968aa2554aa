"""Content: generate (Rev A generic route), list, get, regenerate, approve, reject (Rev A)."""

from __future__ import annotations

from layers_reconcile.emulator import containers, fakes, lookups, queries
from layers_reconcile.emulator.common import JSON, canonical, iso, new_uuid, parse_instant, pid
from layers_reconcile.emulator.http import Reply, conflict, listing, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.content import Approve, Brief, Generate, Regenerate, Reject
from layers_reconcile.emulator.resources import job_accepted
from layers_reconcile.emulator.revision import stored_format
from layers_reconcile.emulator.validation import Issues


def _brief(issues: Issues, data: object, prefix: str, ctx: Ctx, project: JSON) -> JSON:
    """The brief as sent (unknown keys kept) once it validates; `{}` after recording why not."""
    context = {"emu": ctx.emu, "project": project}
    brief = issues.parse(Brief, data, prefix=prefix, context=context)
    return dict(data) if brief is not None and isinstance(data, dict) else {}


def _accepted(ctx: Ctx, job: JSON, ids: list[str], fmt: str) -> JSON:
    body = job_accepted(job, ctx.now)
    body.update(containerIds=[pid("cnt", i) for i in ids], format=fmt)
    return body


def generate(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
    context = {"emu": emu, "project": project}
    body = ctx.body_as(Generate, context=context)
    ident, fmt, count = body.id, body.format or "auto", body.variantCount or 1
    brief = dict(ctx.body["brief"])
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


def _instant(raw: str | None) -> float | None:
    return None if raw is None else parse_instant(raw)


def list_content(ctx: Ctx) -> Reply:
    q = ctx.query_as(queries.ContentQuery)
    return _list(ctx, q, set(q.format or ()))


def list_content_b(ctx: Ctx) -> Reply:
    q = ctx.query_as(queries.ContentQueryB)
    return _list(ctx, q, {stored_format(f) for f in q.format or ()})


def _list(ctx: Ctx, q: queries.ContentQuery | queries.ContentQueryB, formats: set[str]) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    statuses: set[str] = set(q.status or ())
    if "processing" in statuses:
        statuses.add("generating")
    approvals = set(q.approvalStatus or ())
    since, until = _instant(q.since), _instant(q.until)
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
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), q.cursor, q.limit or 25)
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
    issues = ctx.issues()
    request = issues.parse(Regenerate, ctx.body)
    patch = request.brief if request is not None else None
    preserve = bool(request and request.preserveAssets)
    brief = _brief(issues, {**doc["brief"], **(patch or {})}, "brief", ctx, project)
    issues.check()
    job = containers.regenerate(emu, project, doc, brief, preserve, ctx.now)
    body = _accepted(ctx, job, [doc["id"]], doc["format"])
    body["containerId"] = pid("cnt", doc["id"])
    return Reply(202, body)


def approve(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "container", ctx.params["containerId"], "containerId")
    note = ctx.body_as(Approve).note
    return Reply(200, containers.approve(ctx.emu, doc, ctx.key.id, note, ctx.now))


def reject(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    issues = ctx.issues()
    request = issues.parse(Reject, ctx.body)
    raw = ctx.body.get("regenerateBrief") if isinstance(ctx.body, dict) else None
    project: JSON | None = None
    brief: JSON = {}
    if isinstance(raw, dict):
        project = lookups.project(emu, doc["projectId"], active=True, param="containerId")
        brief = _brief(issues, {**doc["brief"], **raw}, "regenerateBrief", ctx, project)
    issues.check()
    assert request is not None
    reason = request.reason
    if doc["approvalStatus"] != "pending":
        raise conflict(
            f"only pending content can be rejected (it is {doc['approvalStatus']})",
            approvalStatus=doc["approvalStatus"],
        )
    if project is not None and doc["status"] == "generating":
        raise conflict("the content is still generating", status="generating")
    body = mark_rejected(ctx, doc, reason)
    if project is not None:
        job = containers.regenerate(emu, project, doc, brief, False, ctx.now)
        body["regeneration"] = {
            "jobId": pid("job", job["id"]),
            "status": job["status"],
            "approvalStatus": doc["approvalStatus"],
        }
    return Reply(200, body)


def mark_rejected(ctx: Ctx, doc: JSON, reason: str) -> JSON:
    """Reject pending content (its schedule intents are dropped); the answer of both revisions."""
    doc.update(
        approvalStatus="rejected",
        rejectedAt=iso(ctx.now),
        rejectedBy=ctx.key.id,
        rejectionReason=reason,
        intents=[],
        updatedAt=iso(ctx.now),
    )
    ctx.emu.store.put("container", doc)
    return {
        "id": pid("cnt", doc["id"]),
        "approvalStatus": "rejected",
        "rejectedAt": doc["rejectedAt"],
        "rejectedBy": doc["rejectedBy"],
        "reason": reason,
    }


def routes() -> list[RouteSpec]:
    return [
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/content",
            generate,
            ("content:write",),
            endpoint_class="long-running",
            body=Generate,
            revisions=("a",),
        ),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/content",
            list_content,
            ("content:read",),
            query=queries.ContentQuery,
            revisions=("a",),
        ),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/content",
            list_content_b,
            ("content:read",),
            query=queries.ContentQueryB,
            revisions=("b",),
        ),
        RouteSpec("GET", "/v1/content/{containerId}", get_content, ("content:read",)),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/regenerate",
            regenerate,
            ("content:write",),
            endpoint_class="long-running",
            body=Regenerate,
            revisions=("a",),
        ),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/approve",
            approve,
            ("content:approve",),
            body=Approve,
            revisions=("a",),
        ),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/reject",
            reject,
            ("content:approve",),
            body=Reject,
            revisions=("a",),
        ),
    ]
