"""Publishing: schedule (with the approval gate), publish now, list, get, reschedule, cancel."""

from __future__ import annotations

from layers_reconcile.emulator import lookups, posts, queries
from layers_reconcile.emulator.common import JSON, iso, iso_instant, new_uuid, parse_instant, pid
from layers_reconcile.emulator.http import ApiError, Reply, conflict, listing, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.publishing import (
    Publish,
    PublishB,
    Reschedule,
    Schedule,
    ScheduleB,
    Target,
    TargetB,
)
from layers_reconcile.emulator.requests.shared import Reason
from layers_reconcile.emulator.resources import post_view


def _intents(
    ctx: Ctx, container: JSON, targets: list[Target] | list[TargetB], when: float
) -> list[JSON]:
    context = {"emu": ctx.emu, "container": container}
    intents = []
    for i, target in enumerate(targets):
        account = lookups.target_account(context, target.socialAccountId)
        assert account is not None
        intents.append(
            {
                "scheduledPostId": target.scheduledPostId or new_uuid(),
                "socialAccountId": account["id"],
                "mode": target.mode,
                "captionOverride": target.captionOverride,
                "firstCommentOverride": target.firstCommentOverride,
                "createdAt": iso(ctx.now),
                "_scheduledTs": when,
                "_index": i,
            }
        )
    return intents


def _check_container(container: JSON) -> None:
    if container["status"] != "completed":
        raise conflict(
            "only completed content can be scheduled",
            containerId=pid("cnt", container["id"]),
            status=container["status"],
        )
    if container["approvalStatus"] == "rejected":
        raise ApiError(
            409,
            "CONTENT_REJECTED",
            "rejected content cannot be scheduled",
            {"containerId": pid("cnt", container["id"]), "approvalStatus": "rejected"},
        )


def _check_ids(ctx: Ctx, container: JSON, intents: list[JSON]) -> None:
    for intent in intents:
        existing = ctx.emu.store.get("post", intent["scheduledPostId"])
        if existing is not None and existing["containerId"] != container["id"]:
            raise conflict(
                "this scheduledPostId belongs to another container",
                scheduledPostId=pid("sp", intent["scheduledPostId"]),
                containerId=pid("cnt", existing["containerId"]),
            )


def _queue(ctx: Ctx, container: JSON, intents: list[JSON]) -> list[str]:
    ids = []
    for intent in intents:
        post = ctx.emu.store.get("post", intent["scheduledPostId"])
        if post is None:
            post = posts.create_post(ctx.emu, container, intent, ctx.now)
        ids.append(pid("sp", post["id"]))
    return ids


def schedule(ctx: Ctx) -> Reply:
    return _schedule(ctx, Schedule)


def schedule_b(ctx: Ctx) -> Reply:
    return _schedule(ctx, ScheduleB)


def _schedule(ctx: Ctx, model: type[Schedule] | type[ScheduleB]) -> Reply:
    emu = ctx.emu
    container = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    lookups.project(emu, container["projectId"], active=True, param="containerId")
    request = ctx.body_as(model, context={"emu": emu, "container": container})
    when = parse_instant(request.scheduledFor)
    assert when is not None
    intents = _intents(ctx, container, request.targets, when)
    _check_container(container)
    _check_ids(ctx, container, intents)
    body: JSON = {"containerId": pid("cnt", container["id"]), "scheduledFor": iso_instant(when)}
    if container["approvalStatus"] == "pending":
        new_ids = {i["scheduledPostId"] for i in intents}
        kept = [i for i in container["intents"] if i["scheduledPostId"] not in new_ids]
        container["intents"] = kept + intents
        container["updatedAt"] = iso(ctx.now)
        emu.store.put("container", container)
        return Reply(202, {"scheduledPostIds": [], "gateStatus": "blocked_on_approval", **body})
    return Reply(
        200, {"scheduledPostIds": _queue(ctx, container, intents), "gateStatus": "queued", **body}
    )


def publish_now(ctx: Ctx) -> Reply:
    return _publish(ctx, Publish)


def publish_now_b(ctx: Ctx) -> Reply:
    return _publish(ctx, PublishB)


def _publish(ctx: Ctx, model: type[Publish] | type[PublishB]) -> Reply:
    emu = ctx.emu
    container = lookups.find(emu, "container", ctx.params["containerId"], "containerId")
    lookups.project(emu, container["projectId"], active=True, param="containerId")
    request = ctx.body_as(model, context={"emu": emu, "container": container})
    intents = _intents(ctx, container, request.targets, ctx.now)
    _check_container(container)
    if container["approvalStatus"] == "pending":
        raise ApiError(
            403,
            "APPROVAL_REQUIRED",
            "this content needs approval before it can be published",
            {"containerId": pid("cnt", container["id"]), "approvalStatus": "pending"},
        )
    _check_ids(ctx, container, intents)
    body = {"scheduledPostIds": _queue(ctx, container, intents), "gateStatus": "queued"}
    return Reply(
        200,
        {**body, "containerId": pid("cnt", container["id"]), "scheduledFor": iso_instant(ctx.now)},
    )


def list_posts(ctx: Ctx) -> Reply:
    return _list_posts(ctx, ctx.query_as(queries.PostsQuery))


def list_posts_b(ctx: Ctx) -> Reply:
    return _list_posts(ctx, ctx.query_as(queries.PostsQueryB))


def _list_posts(ctx: Ctx, q: queries.PostsQuery) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    statuses = set(q.status or ())
    account = q.socialAccountId
    account_id = lookups.bare_id("social_account", account, "socialAccountId") if account else None
    since, until = (parse_instant(b) if b is not None else None for b in (q.since, q.until))
    docs = [
        d
        for d in emu.store.children("post", project["id"])
        if (not statuses or d["status"] in statuses)
        and (account_id is None or d["socialAccountId"] == account_id)
        and (since is None or d["_scheduledTs"] >= since)
        and (until is None or d["_scheduledTs"] <= until)
    ]
    page, cursor = paginate(
        docs, lambda d: (-d["_scheduledTs"], -d["_seq"]), q.cursor, q.limit or 50
    )
    return Reply(200, listing([post_view(d) for d in page], cursor))


def get_post(ctx: Ctx) -> Reply:
    return Reply(
        200,
        post_view(lookups.find(ctx.emu, "post", ctx.params["scheduledPostId"], "scheduledPostId")),
    )


def reschedule(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "post", ctx.params["scheduledPostId"], "scheduledPostId")
    context = {"emu": emu, "now": ctx.now}
    when = parse_instant(ctx.body_as(Reschedule, context=context).scheduledFor)
    assert when is not None
    if doc["status"] != "queued":
        raise conflict(
            f"only queued posts can be rescheduled (it is {doc['status']})", status=doc["status"]
        )
    posts.reschedule(emu, doc, when, ctx.now)
    return Reply(
        200,
        {
            "id": pid("sp", doc["id"]),
            "status": "queued",
            "scheduledFor": doc["scheduledFor"],
            "updatedAt": doc["updatedAt"],
        },
    )


def cancel(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "post", ctx.params["scheduledPostId"], "scheduledPostId")
    reason = ctx.body_as(Reason).reason
    if doc["status"] not in ("queued", "publishing"):
        raise conflict(f"the post is {doc['status']} and cannot be canceled", status=doc["status"])
    posts.cancel_post(emu, doc, ctx.now, reason)
    return Reply(
        200, {"id": pid("sp", doc["id"]), "status": "canceled", "canceledAt": doc["canceledAt"]}
    )


def routes() -> list[RouteSpec]:
    write, read = ("publish:write",), ("publish:read",)
    a, b = ("a",), ("b",)
    schedule_path, publish_path = (
        "/v1/content/{containerId}/schedule",
        "/v1/content/{containerId}/publish",
    )
    posts_path = "/v1/projects/{projectId}/scheduled-posts"
    return [
        RouteSpec("POST", schedule_path, schedule, write, body=Schedule, revisions=a),
        RouteSpec("POST", schedule_path, schedule_b, write, body=ScheduleB, revisions=b),
        RouteSpec("POST", publish_path, publish_now, write, body=Publish, revisions=a),
        RouteSpec("POST", publish_path, publish_now_b, write, body=PublishB, revisions=b),
        RouteSpec("GET", posts_path, list_posts, read, query=queries.PostsQuery, revisions=a),
        RouteSpec("GET", posts_path, list_posts_b, read, query=queries.PostsQueryB, revisions=b),
        RouteSpec(
            "GET",
            "/v1/scheduled-posts/{scheduledPostId}",
            get_post,
            ("publish:read", "publish:write"),
        ),
        RouteSpec(
            "POST",
            "/v1/scheduled-posts/{scheduledPostId}/reschedule",
            reschedule,
            write,
            body=Reschedule,
        ),
        RouteSpec("DELETE", "/v1/scheduled-posts/{scheduledPostId}", cancel, write, body=Reason),
    ]
