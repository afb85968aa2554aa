"""Jobs: poll with ETag / If-None-Match, and cancel."""

from __future__ import annotations

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.common import canonical, digest
from layers_reconcile.emulator.effects import cancel_job
from layers_reconcile.emulator.http import Reply
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.resources import job_view


def get_job(ctx: Ctx) -> Reply:
    job = lookups.find(ctx.emu, "job", ctx.params["jobId"], "jobId")
    view = job_view(job, ctx.now)
    etag = f'W/"{digest(canonical(view))[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    candidates = [t.strip() for t in ctx.request.headers.get("if-none-match", "").split(",")]
    if etag in candidates or etag.removeprefix("W/") in candidates or "*" in candidates:
        return Reply(304, None, headers)
    return Reply(200, view, headers)


def cancel(ctx: Ctx) -> Reply:
    job = lookups.find(ctx.emu, "job", ctx.params["jobId"], "jobId")
    return cancel_job(ctx.emu, job, ctx.now)


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", "/v1/jobs/{jobId}", get_job, ("jobs:read",)),
        RouteSpec("POST", "/v1/jobs/{jobId}/cancel", cancel, ("jobs:cancel",)),
    ]
