"""Social accounts: OAuth URL, OAuth status (both routes), list, revoke."""

from __future__ import annotations

from layers_reconcile.emulator import consent, lookups, posts, queries
from layers_reconcile.emulator.common import JSON, iso, pid, ulid
from layers_reconcile.emulator.http import Reply, listing, not_found, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.social import OAuthUrl, ReauthUrl
from layers_reconcile.emulator.resources import account_view


def _issue(ctx: Ctx, project: JSON, platform: str, url: str, reauth: str | None) -> Reply:
    emu = ctx.emu
    token = "st_" + ulid(ctx.now)
    expires = ctx.now + consent.SOCIAL_STATE_TTL
    doc: JSON = {
        "id": token,
        "projectId": project["id"],
        "platform": platform,
        "returnUrl": url,
        "status": "pending",
        "apiKeyId": ctx.key.id,
        "socialAccountId": None,
        "reauthAccountId": reauth,
        "error": None,
        "expiresAt": iso(expires),
        "createdAt": iso(ctx.now),
        "completedAt": None,
        "_expiresTs": expires,
        "_createdTs": ctx.now,
    }
    emu.store.put("oauth_state", doc)
    if emu.settings.auto_consent:
        emu.due_at(ctx.now + consent.auto_delay(emu), "oauth_state", token)
    authorize = f"{ctx.base_url}/_emulator/social/authorize?state={token}"
    return Reply(200, {"authorizeUrl": authorize, "state": token, "expiresAt": iso(expires)})


def oauth_url(ctx: Ctx) -> Reply:
    project = lookups.project(ctx.emu, ctx.params["projectId"], active=True, param="projectId")
    body = ctx.body_as(OAuthUrl)
    url = lookups.return_url(ctx.key.return_domains, body.returnUrl)
    return _issue(ctx, project, body.platform, url, None)


def reauth_url(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], active=True, param="projectId")
    context = {"emu": emu, "project": project}
    body = ctx.body_as(ReauthUrl, context=context)
    account = lookups.connected_account(context, body.socialAccountId)
    assert account is not None
    url = lookups.return_url(ctx.key.return_domains, body.returnUrl)
    return _issue(ctx, project, account["platform"], url, account["id"])


def _status_view(ctx: Ctx, doc: JSON) -> JSON:
    status = doc["status"]
    error = doc["error"]
    if consent.is_expired(doc, ctx.now):
        status = "failed"
        error = {"code": "STATE_EXPIRED", "message": "The authorization window expired."}
    view: JSON = {
        "state": doc["id"],
        "status": status,
        "platform": doc["platform"],
        "projectId": doc["projectId"],
        "expiresAt": doc["expiresAt"],
    }
    if doc["socialAccountId"]:
        view["socialAccountId"] = pid("sa", doc["socialAccountId"])
    if error:
        view["error"] = error
    return view


def _state(ctx: Ctx, token: str, project_id: str | None) -> JSON:
    doc = ctx.emu.store.get("oauth_state", token)
    if doc is None or doc["apiKeyId"] != ctx.key.id:
        raise not_found("OAuth state", token)
    if project_id is not None and doc["projectId"] != project_id:
        raise not_found("OAuth state", token)
    return doc


def project_oauth_status(ctx: Ctx) -> Reply:
    project = lookups.project(ctx.emu, ctx.params["projectId"], param="projectId")
    return Reply(
        200,
        _status_view(ctx, _state(ctx, ctx.query_as(queries.OAuthStatusQuery).state, project["id"])),
    )


def oauth_status(ctx: Ctx) -> Reply:
    return Reply(200, _status_view(ctx, _state(ctx, ctx.params["state"], None)))


def list_accounts(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    q = ctx.query_as(queries.AccountsQuery)
    platform, status, leased = q.platform, q.status, q.leased
    docs = [
        d
        for d in emu.store.children("social_account", project["id"])
        if (platform is None or d["platform"] == platform)
        and (status is None or d["status"] == status)
        and (leased is None or d["leased"] == (leased == "true"))
    ]
    page, cursor = paginate(docs, lambda d: (d["_seq"],), q.cursor, q.limit or 50)
    return Reply(200, listing([account_view(d) for d in page], cursor))


def revoke(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.find(emu, "social_account", ctx.params["socialAccountId"], "socialAccountId")
    if doc["status"] == "disconnected":
        raise not_found("social account", ctx.params["socialAccountId"])
    canceled = posts.cancel_queued(emu, ctx.now, project_id=doc["projectId"], account_id=doc["id"])
    doc.update(
        status="disconnected", disconnectedAt=iso(ctx.now), disconnectedReason="revoked_by_partner"
    )
    emu.store.put("social_account", doc)
    return Reply(
        200,
        {
            "socialAccountId": pid("sa", doc["id"]),
            "status": "disconnected",
            "disconnectedReason": "revoked_by_partner",
            "canceledScheduledPosts": canceled,
            "disconnectedAt": doc["disconnectedAt"],
        },
    )


def routes() -> list[RouteSpec]:
    read, write = ("social:read",), ("social:write",)
    return [
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/social/oauth-url",
            oauth_url,
            write,
            idempotent=False,
            body=OAuthUrl,
        ),
        RouteSpec(
            "POST",
            "/v1/projects/{projectId}/social/reauth-url",
            reauth_url,
            write,
            idempotent=False,
            body=ReauthUrl,
        ),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/social/oauth-status",
            project_oauth_status,
            read,
            query=queries.OAuthStatusQuery,
        ),
        RouteSpec("GET", "/v1/social/oauth-status/{state}", oauth_status, read),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/social-accounts",
            list_accounts,
            read,
            query=queries.AccountsQuery,
        ),
        RouteSpec("DELETE", "/v1/social-accounts/{socialAccountId}", revoke, write),
    ]
