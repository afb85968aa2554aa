"""GitHub: install URL, installation registration, and the repo ingest job."""

from __future__ import annotations

from layers_reconcile.emulator import consent, lookups, queries, world
from layers_reconcile.emulator.common import JSON, iso, pid, ulid
from layers_reconcile.emulator.http import (
    ApiError,
    Reply,
    conflict,
    invalid,
    listing,
    not_found,
    paginate,
)
from layers_reconcile.emulator.jobs import start_job
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.github import Ingest, RegisterInstallation
from layers_reconcile.emulator.resources import job_accepted, public
from layers_reconcile.emulator.state import Emulator

NOSDK_FAIL_AT = 0.70  # the end of generating_sdk_patch


def install_url(ctx: Ctx) -> Reply:
    emu, q = ctx.emu, ctx.query_as(queries.InstallUrlQuery)
    url = lookups.return_url(ctx.key.return_domains, q.returnUrl)
    login = q.login
    token = q.state or "gh_state_" + ulid(ctx.now)
    expires = ctx.now + consent.GITHUB_STATE_TTL
    doc = emu.store.get("gh_state", token) or {
        "id": token,
        "status": "pending",
        "installationId": None,
    }
    doc.update(
        returnUrl=url,
        loginHint=login,
        apiKeyId=ctx.key.id,
        expiresAt=iso(expires),
        createdAt=iso(ctx.now),
        _expiresTs=expires,
        _createdTs=ctx.now,
    )
    emu.store.put("gh_state", doc)
    if emu.settings.auto_consent and doc["status"] == "pending":
        emu.due_at(ctx.now + consent.auto_delay(emu), "gh_state", token)
    authorize = f"{ctx.base_url}/_emulator/github/install?state={token}"
    return Reply(
        200,
        {
            "authorizeUrl": authorize,
            "authUrl": authorize,
            "installUrl": authorize,
            "state": token,
            "expiresAt": iso(expires),
        },
    )


def register_installation(ctx: Ctx) -> Reply:
    emu = ctx.emu
    body = ctx.body_as(RegisterInstallation)
    installation_id, token = body.installationId, body.state
    state = emu.store.get("gh_state", token)
    if state is None:
        raise invalid("state", "is not a state issued by GET /v1/github/installation/install-url")
    if consent.is_expired(state, ctx.now):
        raise invalid("state", "has expired; create a new install URL")
    if state["status"] == "denied":
        raise invalid("state", "belongs to an install the customer refused")
    if state["installationId"] not in (None, installation_id):
        raise invalid("installationId", "does not match the installation made with this state")
    installation = world.installation(emu.store, installation_id)
    if installation is None:
        raise invalid("installationId", "is not an installation of the Layers GitHub App")
    registration = consent.register(emu, installation, ctx.now)
    return Reply(200, consent.registration_view(registration))


def get_installation(ctx: Ctx) -> Reply:
    docs = consent.registrations(ctx.emu)
    if not docs:
        raise not_found("GitHub installation", "for this organization")
    views = [consent.registration_view(d) for d in docs]
    return Reply(200, {**views[0], "installations": views})


def ingest_github(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["id"], active=True)
    body = ctx.body_as(Ingest)
    repo, platforms = body.repoFullName, body.platforms
    branch = body.branch or "main"
    open_pr = True if body.openPR is None else body.openPR
    included = body.sdkConfig.includePlatforms if body.sdkConfig else None
    registration, name = _registration_for(emu, repo)
    jobs = emu.store.children("job", project["id"])
    for job in jobs:
        if job["kind"] == "project_ingest_github" and job["status"] == "running":
            raise conflict(
                "an ingest is already running for this project", jobId=pid("job", job["id"])
            )
    chosen = included or platforms or world.detected_platforms(name)
    failure = None if chosen else _no_platform(repo)
    ordinal = sum(
        1
        for j in jobs
        if j["kind"] == "project_ingest_github"
        and j["status"] == "completed"
        and j["payload"]["repoFullName"] == repo
    )
    job = start_job(
        emu,
        "project_ingest_github",
        project["id"],
        ctx.now,
        links={},
        payload={
            "repoFullName": repo,
            "branch": branch,
            "platforms": chosen,
            "openPR": open_pr,
            "ordinal": ordinal,
            "installationId": registration["installationId"],
        },
        fail_at=NOSDK_FAIL_AT if failure else None,
        failure=failure,
    )
    project["ingestState"]["github"] = {
        "status": "running",
        "jobId": pid("job", job["id"]),
        "completedAt": None,
        "repoFullName": repo,
        "branch": branch,
        "error": None,
    }
    project["updatedAt"] = iso(ctx.now)
    emu.store.put("project", project)
    return Reply(202, job_accepted(job, ctx.now))


def _registration_for(emu: Emulator, repo: str) -> tuple[JSON, str]:
    """The registered installation covering the repo's owner (able to read it), and its name."""
    parts = world.split_repo(repo)
    assert parts is not None
    owner, name = parts
    registration = consent.covering_registration(emu, owner)
    if registration is None:
        raise ApiError(
            422,
            "PLATFORM_ERROR",
            f"No registered GitHub installation covers {owner}: register the installation of the "
            "org that owns the repo (POST /v1/github/installation), then retry.",
            {
                "subcode": "installation_not_found",
                "reason": "installation_not_found",
                "platformCode": "installation_not_found",
                "repoFullName": repo,
                "org": owner,
            },
        )
    if world.is_private(name):
        raise invalid(
            "repoFullName",
            f"the repository is private and installation {registration['installationId']} does "
            "not cover it; ask the customer to grant repo access in GitHub, then retry",
            repoFullName=repo,
        )
    return registration, name


def _no_platform(repo: str) -> JSON:
    """The job's failure when neither the body nor the repo names a platform the SDK supports."""
    return {
        "code": "SDK_PATCH_GENERATION_FAILED",
        "message": f"No supported platform was found in {repo}; no PR was opened. Retry with "
        "sdkConfig.includePlatforms matching the repo's stack.",
        "details": {"repoFullName": repo, "detectedPlatforms": []},
    }


def list_sdk_apps(ctx: Ctx) -> Reply:
    project = lookups.project(ctx.emu, ctx.params["projectId"], param="projectId")
    q = ctx.query_as(queries.SdkAppsQuery)
    platform = q.platform
    docs = [
        d
        for d in ctx.emu.store.children("sdk_app", project["id"])
        if platform is None or d["platform"] == platform
    ]
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), q.cursor, q.limit or 25)
    items = []
    for doc in page:
        view = public(doc)
        view["appId"] = view.pop("id")
        items.append(view)
    return Reply(200, listing(items, cursor))


def routes() -> list[RouteSpec]:
    admin = ("github:admin",)
    return [
        RouteSpec(
            "GET",
            "/v1/github/installation/install-url",
            install_url,
            admin,
            query=queries.InstallUrlQuery,
        ),
        RouteSpec(
            "POST",
            "/v1/github/installation",
            register_installation,
            admin,
            body=RegisterInstallation,
        ),
        RouteSpec("GET", "/v1/github/installation", get_installation, admin),
        RouteSpec(
            "POST",
            "/v1/projects/{id}/ingest/github",
            ingest_github,
            ("ingest:write",),
            endpoint_class="long-running",
            body=Ingest,
        ),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/sdk-apps",
            list_sdk_apps,
            ("projects:read",),
            query=queries.SdkAppsQuery,
        ),
    ]
