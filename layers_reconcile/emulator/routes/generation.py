"""Rev B content generation: one route per format, one container per call, and its progress.

`POST /v1/projects/{projectId}/content/{slideshow-builder,slideshow-remix,video-remix,ugc-remix}`
(CONTRACT-revb.md §6.2) make the same containers and `content_generate` jobs as Rev A's generic
route; the format is the URL, the body names the hook, the source post and who speaks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pydantic import BaseModel

from layers_reconcile.emulator import containers, fakes, lookups, orgs, queries
from layers_reconcile.emulator.common import JSON, derived_uuid, new_uuid, parse_uuid, pid
from layers_reconcile.emulator.http import Reply, invalid, listing, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.content import Actor, Remix, SlideshowBuilder, UgcRemix
from layers_reconcile.emulator.resources import STAGES, job_accepted, job_end, job_view
from layers_reconcile.emulator.revision import stored_format, wire_format
from layers_reconcile.emulator.state import Emulator

ROUTE_FORMATS: dict[str, type[Actor]] = {
    "slideshow-builder": SlideshowBuilder,
    "slideshow-remix": Remix,
    "video-remix": Remix,
    "ugc-remix": UgcRemix,
}


def app_demo_media(emu: Emulator, project: JSON) -> str | None:
    """The project's app-demo media: media is not emulated, a finished GitHub ingest stands in."""
    github = project["ingestState"].get("github") or {}
    if github.get("status") != "completed":
        return None
    return derived_uuid(project["id"], "media/app-demo")


def _brief(ctx: Ctx, project: JSON, wire: str, body: BaseModel) -> JSON:
    """What the call asked for, kept on the container (ids in their prefixed form)."""
    fields = body.model_dump(exclude_none=True)
    if "influencerId" in fields:
        fields["influencerId"] = pid("inf", parse_uuid(fields["influencerId"], "inf") or "")
    if "socialAccountId" in fields:
        fields["socialAccountId"] = pid("sa", parse_uuid(fields["socialAccountId"], "sa") or "")
    if isinstance(body, UgcRemix):
        media = app_demo_media(ctx.emu, project)
        if body.mediaId is not None and parse_uuid(body.mediaId, "med") != media:
            raise invalid("mediaId", "is not a media of this project")
        if media is None:
            raise invalid(
                "mediaId",
                "the project has no app-demo media (on the emulator, its GitHub ingest adds it)",
                code="MISSING_APP_DEMO",
            )
        fields["mediaId"] = pid("med", media)
    if wire == "slideshow-remix" and fakes.tiktok_kind(fields["tiktokVideoId"]) != "slideshow":
        raise invalid(
            "tiktokVideoId",
            "is a video, not a slideshow: pick one with source-recommendations?kind=slideshow",
            code="NOT_A_SLIDESHOW",
        )
    if isinstance(body, SlideshowBuilder):
        brand = project["brandContext"] or {}
        if not brand.get("appDescription"):
            raise invalid(
                "",
                "slideshow-builder needs the project's appDescription (PATCH the project first)",
                code="MISSING_APP_DESCRIPTION",
            )
    return fields


def _generator(wire: str) -> Callable[[Ctx], Reply]:
    model = ROUTE_FORMATS[wire]
    fmt = stored_format(wire)

    def generate(ctx: Ctx) -> Reply:
        emu = ctx.emu
        project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
        body = ctx.body_as(model, context={"emu": emu, "project": project})
        brief = _brief(ctx, project, wire, body)
        cost = fakes.CREDITS_PER_FORMAT[fmt]
        orgs.require(emu, cost, wire, ctx.now)  # 402 BILLING_EXHAUSTED when short
        request = {"format": fmt, "variantCount": 1, "brief": brief}
        job, docs = containers.generate(
            emu, project, new_uuid(), request, fmt, ctx.now, gate=containers.gate_applies_b
        )
        accepted = job_accepted(job, ctx.now)
        accepted.update(containerIds=[pid("cnt", d["id"]) for d in docs], format=fmt)
        return Reply(202, accepted)

    return generate


def hooks(ctx: Ctx) -> Reply:
    """A bank of hooks to pass verbatim as `hook` (needs the project's appName, appDescription)."""
    project = lookups.project(ctx.emu, ctx.params["projectId"], param="projectId")
    brand = project["brandContext"] or {}
    if not (brand.get("appName") and brand.get("appDescription")):
        raise invalid("", "hooks need the project's appName and appDescription (PATCH the project)")
    bank = fakes.hook_bank(brand["appName"], ctx.emu.settings.seed, project["id"])
    return Reply(200, {"projectId": project["id"], "hooks": bank})


def source_recommendations(ctx: Ctx) -> Reply:
    """TikTok posts to remix: the project's portfolio, or a keyword search."""
    project = lookups.project(ctx.emu, ctx.params["projectId"], param="projectId")
    q = ctx.query_as(queries.SourceRecommendationsQuery)
    key = ("keyword", q.keyword.lower()) if q.keyword else ("portfolio", project["id"])
    kind = q.kind or "mixed"
    candidates = [
        (i, post)
        for i, post in enumerate(fakes.source_posts(ctx.emu.settings.seed, *key))
        if kind == "mixed" or post["kind"] == kind
    ]
    page, cursor = paginate(candidates, lambda c: (c[0],), q.cursor, q.limit or 20)
    return Reply(200, listing([post for _, post in page], cursor))


def _stage_progress(kind: str, stage: str, progress: float) -> float:
    start = 0.0
    for name, end in STAGES[kind]:
        if name == stage:
            return round(min(1.0, max(0.0, (progress - start) / (end - start))), 2)
        start = end
    return 1.0


def progress(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    job = emu.store.get("job", doc["jobId"])
    assert job is not None
    view = job_view(job, ctx.now)
    running = job["status"] == "running"
    return Reply(
        200,
        {
            "containerId": pid("cnt", doc["id"]),
            "status": containers.status_of(emu, doc, ctx.now),
            "stage": view["stage"],
            "stageProgress": _stage_progress(job["kind"], view["stage"], view["progress"]),
            "progress": view["progress"],
            "etaSeconds": max(0, math.ceil(job_end(job) - ctx.now)) if running else 0,
            "jobId": pid("job", job["id"]),
            "format": wire_format(doc["format"]),
        },
    )


def routes() -> list[RouteSpec]:
    specs = [
        RouteSpec(
            "POST",
            f"/v1/projects/{{projectId}}/content/{wire}",
            _generator(wire),
            ("content:write",),
            endpoint_class="long-running",
            body=model,
            revisions=("b",),
            extra_errors=("402",),
        )
        for wire, model in ROUTE_FORMATS.items()
    ]
    b, read = ("b",), ("content:read",)
    return [
        *specs,
        RouteSpec("GET", "/v1/content/{containerId}/progress", progress, read, revisions=b),
        RouteSpec("GET", "/v1/projects/{projectId}/content/hooks", hooks, read, revisions=b),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/content/source-recommendations",
            source_recommendations,
            read,
            query=queries.SourceRecommendationsQuery,
            revisions=b,
        ),
    ]
