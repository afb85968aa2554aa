"""Projects and their approval policy."""

from __future__ import annotations

from layers_reconcile.emulator import containers, lookups, posts, queries
from layers_reconcile.emulator.common import JSON, iso, new_uuid
from layers_reconcile.emulator.effects import cancel_job
from layers_reconcile.emulator.http import ApiError, Reply, conflict, invalid, listing, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.projects import (
    BRAND_FIELDS_B,
    BrandContext,
    CreateProject,
    CreateProjectB,
    PatchPolicy,
    PatchProject,
    PatchProjectB,
)
from layers_reconcile.emulator.resources import (
    blocked_count,
    new_layers,
    project_item,
    project_view,
)
from layers_reconcile.emulator.routes import influencers
from layers_reconcile.emulator.routes.review import policy_of
from layers_reconcile.emulator.store import Store

BRAND_KEYS = tuple(BrandContext.model_fields)
_REV_A_ONLY = (
    "requiresApproval",
    "firstNPostsBlocked",
    "currentBlockedCount",
    "autoApproveAfter",
    "approvalPolicy",
)


def _active_holder(ctx: Ctx, external_id: str | None, exclude: str | None) -> JSON | None:
    if not external_id:
        return None
    for doc in ctx.emu.store.projects_by_external_id(external_id):
        mine = doc["organizationId"] == ctx.emu.org_id  # unique within an organization
        if mine and doc["status"] == "active" and doc["id"] != exclude:
            return doc
    return None


def _taken(holder: JSON) -> ApiError:
    return conflict(
        f"customerExternalId {holder['customerExternalId']!r} is already bound to an active project",
        projectId=holder["id"],
        customerExternalId=holder["customerExternalId"],
    )


def create_project(ctx: Ctx) -> Reply:
    body = ctx.body_as(CreateProject)
    return _create(ctx, body, None)


def create_project_b(ctx: Ctx) -> Reply:
    """Rev B: no partner `id`; the brand fields sit on the project; `appDescription` starts the
    customer's first influencer (Layers' keyword research it also starts is not emulated)."""
    body = ctx.body_as(CreateProjectB)
    reply = _create(ctx, body, _brand_b(None, body))
    doc = ctx.emu.store.get("project", reply.body["id"])
    assert doc is not None
    doc["targetGender"] = body.targetGender
    ctx.emu.store.put("project", doc)
    if body.appDescription is not None:
        influencers.start_generated(ctx, doc, {})
    return Reply(reply.status, project_view_b(ctx.emu.store, doc))


def _brand_b(current: JSON | None, body: CreateProjectB | PatchProjectB) -> JSON | None:
    sent = body.model_dump(exclude_unset=True, include=set(BRAND_FIELDS_B))
    if not sent:
        return current
    return {**(current or dict.fromkeys(BRAND_KEYS)), **sent}


def _create(ctx: Ctx, body: CreateProject | CreateProjectB, brand: JSON | None) -> Reply:
    ident = body.id if isinstance(body, CreateProject) else None
    name, external, tz = body.name, body.customerExternalId, body.timezone
    language, owner, metadata = body.primaryLanguage or "en", body.ownerEmail, body.metadata
    store = ctx.emu.store
    existing = store.get("project", ident) if ident else None
    if existing is not None:
        if existing["customerExternalId"] == external:
            return Reply(200, project_view(store, existing))
        raise conflict(
            "a project with this id exists with another customerExternalId",
            projectId=existing["id"],
        )
    holder = _active_holder(ctx, external, None)
    if holder is not None:
        raise _taken(holder)
    ident = ident or new_uuid()
    now = iso(ctx.now)
    doc: JSON = {
        "id": ident,
        "organizationId": ctx.emu.org_id,
        "name": name,
        "status": "active",
        "customerExternalId": external,
        "timezone": tz,
        "primaryLanguage": language,
        "ownerEmail": owner,
        "brand": None,
        "brandContext": brand,
        "ingestState": {"github": None, "website": None, "appstore": None},
        "requiresApproval": False,
        "firstNPostsBlocked": None,
        "autoApproveAfter": None,
        "policyUpdatedAt": None,
        "layers": new_layers(ident),
        "metadata": metadata,
        "createdAt": now,
        "updatedAt": now,
        "archivedAt": None,
    }
    store.put("project", doc)
    return Reply(201, project_view(store, doc))


def list_projects(ctx: Ctx) -> Reply:
    q = ctx.query_as(queries.ProjectsQuery)
    limit, status, external = q.limit or 25, q.status, q.customerExternalId
    search = (q.search or "").lower()
    store = ctx.emu.store
    docs = store.projects_by_external_id(external) if external is not None else store.all("project")
    docs = [
        d
        for d in docs
        if (status is None or d["status"] == status)
        and (not search or search in d["name"].lower())
        and d["organizationId"] == ctx.emu.org_id
    ]
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), q.cursor, limit)
    return Reply(200, listing([project_item(d) for d in page], cursor))


def project_view_b(store: Store, doc: JSON) -> JSON:
    """Rev B's project: the brand fields on top; the review policy is set through its own route
    and shown on the row as `requiresApproval` + `firstNPostsBlocked` (CONTRACT.md §3.3 lists
    both on the row of either revision, only `currentBlockedCount` as Rev A's), read from the
    policy so the two always agree: `review_first_n` N is (true, N), `review_all` (true, null),
    `auto_approve` (false, null)."""
    view = {k: v for k, v in project_view(store, doc).items() if k not in _REV_A_ONLY}
    policy, first_n = policy_of(doc)
    view.update(requiresApproval=policy != "auto_approve", firstNPostsBlocked=first_n)
    brand = doc["brandContext"] or {}
    view.update({key: brand.get(key) for key in BRAND_FIELDS_B})
    view["targetGender"] = doc.get("targetGender")
    return view


def _view(ctx: Ctx, doc: JSON) -> JSON:
    store = ctx.emu.store
    return project_view_b(store, doc) if ctx.emu.revision == "b" else project_view(store, doc)


def get_project(ctx: Ctx) -> Reply:
    return Reply(200, _view(ctx, lookups.project(ctx.emu, ctx.params["id"])))


def patch_project(ctx: Ctx) -> Reply:
    doc = lookups.project(ctx.emu, ctx.params["id"])
    body = ctx.body_as(PatchProject)
    changes: JSON = body.model_dump(exclude_unset=True, exclude={"brandContext"})
    if body.brandContext is not None:
        current = doc["brandContext"] or dict.fromkeys(BRAND_KEYS)
        changes["brandContext"] = {**current, **body.brandContext.model_dump(exclude_unset=True)}
    elif "brandContext" in body.model_fields_set:
        changes["brandContext"] = None
    return _patch(ctx, doc, changes)


def patch_project_b(ctx: Ctx) -> Reply:
    """Rev B: the brand fields merge into the brand context; `metadata` is replaced in full."""
    doc = lookups.project(ctx.emu, ctx.params["id"])
    body = ctx.body_as(PatchProjectB)
    brand_fields = set(BRAND_FIELDS_B)
    changes: JSON = body.model_dump(exclude_unset=True, exclude=brand_fields)
    if brand_fields & body.model_fields_set:
        changes["brandContext"] = _brand_b(doc["brandContext"], body)
    return _patch(ctx, doc, changes)


def _patch(ctx: Ctx, doc: JSON, changes: JSON) -> Reply:
    emu = ctx.emu
    status = changes.get("status", doc["status"])
    external = changes.get("customerExternalId", doc["customerExternalId"])
    if status == "active":
        holder = _active_holder(ctx, external, doc["id"])
        if holder is not None:
            raise _taken(holder)
    if status == "archived" and doc["status"] == "active":
        _archive(ctx, doc)
    elif status == "active":
        changes["archivedAt"] = None
    doc.update(changes)
    doc["updatedAt"] = iso(ctx.now)
    emu.store.put("project", doc)
    return Reply(200, _view(ctx, doc))


def _archive(ctx: Ctx, doc: JSON) -> int:
    emu = ctx.emu
    canceled = posts.cancel_queued(emu, ctx.now, project_id=doc["id"])
    for container in emu.store.children("container", doc["id"]):
        if container["intents"]:
            container["intents"] = []
            emu.store.put("container", container)
    for job in emu.store.children("job", doc["id"]):
        if job["status"] == "running" and job["kind"] == "content_generate":
            cancel_job(emu, job, ctx.now)
    doc.update(status="archived", archivedAt=iso(ctx.now), updatedAt=iso(ctx.now))
    return canceled


def archive_project(ctx: Ctx) -> Reply:
    doc = lookups.project(ctx.emu, ctx.params["id"])
    if ctx.body is not None and not isinstance(ctx.body, dict):
        raise invalid("", "must be a JSON object")
    canceled = 0
    if doc["status"] == "archived":
        doc.update(archivedAt=iso(ctx.now), updatedAt=iso(ctx.now))
    else:
        canceled = _archive(ctx, doc)
    ctx.emu.store.put("project", doc)
    return Reply(
        200,
        {
            "id": doc["id"],
            "status": "archived",
            "archivedAt": doc["archivedAt"],
            "canceledScheduledPosts": canceled,
        },
    )


def _policy(ctx: Ctx, doc: JSON) -> JSON:
    return {
        "projectId": doc["id"],
        "requiresApproval": doc["requiresApproval"],
        "firstNPostsBlocked": doc["firstNPostsBlocked"],
        "autoApproveAfter": doc["autoApproveAfter"],
        "currentBlockedCount": blocked_count(ctx.emu.store, doc["id"]),
        "updatedAt": doc["policyUpdatedAt"] or doc["createdAt"],
    }


def get_policy(ctx: Ctx) -> Reply:
    return Reply(
        200, _policy(ctx, lookups.project(ctx.emu, ctx.params["projectId"], param="projectId"))
    )


def patch_policy(ctx: Ctx) -> Reply:
    emu = ctx.emu
    doc = lookups.project(emu, ctx.params["projectId"], param="projectId")
    body = ctx.body_as(PatchPolicy)
    changes = body.model_dump(exclude_unset=True)
    doc.update(changes)
    doc.update(policyUpdatedAt=iso(ctx.now), updatedAt=iso(ctx.now))
    emu.store.put("project", doc)
    for container in emu.store.children("container", doc["id"]):
        containers.schedule_auto_approval(emu, doc, container)
    return Reply(200, _policy(ctx, doc))


def routes() -> list[RouteSpec]:
    read, write = ("projects:read",), ("projects:write",)
    a, b, prj = ("a",), ("b",), "prj"
    return [
        RouteSpec("POST", "/v1/projects", create_project, write, body=CreateProject, revisions=a),
        RouteSpec(
            "POST",
            "/v1/projects",
            create_project_b,
            write,
            body=CreateProjectB,
            revisions=b,
            id_prefix=prj,
        ),
        RouteSpec(
            "GET", "/v1/projects", list_projects, read, query=queries.ProjectsQuery, id_prefix=prj
        ),
        RouteSpec("GET", "/v1/projects/{id}", get_project, read, id_prefix=prj),
        RouteSpec(
            "PATCH",
            "/v1/projects/{id}",
            patch_project,
            write,
            body=PatchProject,
            invalid_status=400,
            revisions=a,
        ),
        RouteSpec(
            "PATCH",
            "/v1/projects/{id}",
            patch_project_b,
            write,
            body=PatchProjectB,
            invalid_status=400,
            revisions=b,
            id_prefix=prj,
        ),
        RouteSpec("DELETE", "/v1/projects/{id}", archive_project, write, id_prefix=prj),
        RouteSpec(
            "GET",
            "/v1/projects/{projectId}/approval-policy",
            get_policy,
            ("content:read",),
            revisions=a,
        ),
        RouteSpec(
            "PATCH",
            "/v1/projects/{projectId}/approval-policy",
            patch_policy,
            ("content:approve",),
            body=PatchPolicy,
            invalid_status=400,
            revisions=a,
        ),
    ]
