"""The organizations control plane (Rev B only, scope org:admin; CONTRACT-revb.md §2).

Lifecycle (create, list, get with `summary`, patch, archive, suspend, resume, migrate) here; the
child's credits (wallet, ledger, allocate, credit-config) in `org_credits`, the child's API keys
(mint, list, rotate, delete) in `org_keys`, their shared paths and helpers in `org_base`. The
child is named in the path; what a child holds is found through `orgs`.
"""

from __future__ import annotations

from layers_reconcile.emulator import orgs, posts, queries
from layers_reconcile.emulator.common import JSON, iso, new_uuid
from layers_reconcile.emulator.common import parse_uuid as _parse_uuid
from layers_reconcile.emulator.http import Reply, conflict, invalid, listing, not_found, paginate
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.organizations import (
    PARTNER_METADATA_KEYS,
    CreateOrganization,
    MigrateProjects,
    PatchOrganization,
)
from layers_reconcile.emulator.routes import org_credits, org_keys
from layers_reconcile.emulator.routes.org_base import ADMIN, BASE, ORG, live, org_row, touch


def _projects_of(ctx: Ctx, org_id: str) -> list[JSON]:
    return [p for p in ctx.emu.store.all("project") if p["organizationId"] == org_id]


def _new_child(ctx: Ctx, name: str, metadata: JSON | None, email: str | None) -> JSON:
    if ctx.emu.org_id != ctx.emu.root_org_id:
        raise invalid("", "a child organization cannot create organizations (one level deep)")
    stamp = orgs.iso_b(ctx.now)
    doc: JSON = {
        "id": new_uuid(),
        "parentOrganizationId": ctx.emu.org_id,
        "name": name,
        "status": "active",
        "metadata": dict(metadata or {}),
        "billingEmail": email,
        "archivedAt": None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "balance": 0,
        "usedThisPeriod": 0,
        "creditConfig": {"monthlyCreditCap": None, "refillThreshold": None, "refillAmount": None},
    }
    return ctx.emu.store.put(orgs.KIND, doc)


# --- lifecycle ------------------------------------------------------------------------------


def create(ctx: Ctx) -> Reply:
    body = ctx.body_as(CreateOrganization)
    return Reply(201, org_row(_new_child(ctx, body.name, body.metadata, body.billingEmail)))


def list_children(ctx: Ctx) -> Reply:
    q = ctx.query_as(queries.OrganizationsQuery)
    docs = [d for d in orgs.children_of(ctx.emu, ctx.emu.org_id) if q.status in (None, d["status"])]
    page, cursor = paginate(docs, lambda d: (-d["_seq"],), q.cursor, q.limit or 25)
    return Reply(200, listing([org_row(d) for d in page], cursor))


def get_child(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    held = orgs.balance(ctx.emu, doc["id"])
    summary = {
        "projectCount": len(_projects_of(ctx, doc["id"])),
        "balance": held,
        "available": held,
        "creditConfig": orgs.config_view(doc),
    }
    return Reply(200, {**org_row(doc), "summary": summary})


def patch_child(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    body = ctx.body_as(PatchOrganization)
    live(doc)
    sent = body.model_fields_set
    if body.name is not None:
        doc["name"] = body.name
    if "metadata" in sent:
        merged: JSON = {}
        if body.metadata is not None:
            merged = dict(doc["metadata"])
            for key, value in body.metadata.items():
                if value == "":
                    merged.pop(key, None)
                else:
                    merged[key] = value
        if len(merged) > PARTNER_METADATA_KEYS:
            raise invalid("metadata", f"must have at most {PARTNER_METADATA_KEYS} keys")
        doc["metadata"] = merged
    if "billingEmail" in sent:
        doc["billingEmail"] = body.billingEmail
    touch(ctx, doc)
    return Reply(200, org_row(doc))


def archive(ctx: Ctx) -> Reply:
    """Terminal: the child's keys revoked, its balance swept back to the parent."""
    emu = ctx.emu
    doc = orgs.child(emu, ctx.params["orgId"])
    if doc["status"] != "archived":
        revoked = 0
        for key in org_keys.keys_of(ctx, doc["id"]):
            if key["status"] == "active":
                key.update(status="revoked", revokedAt=orgs.iso_b(ctx.now))
                emu.store.put("apikey", key)
                revoked += 1
        for project in _projects_of(ctx, doc["id"]):  # nothing more publishes for it
            posts.cancel_queued(emu, ctx.now, project_id=project["id"])
        doc["reclaimedCredits"] = orgs.sweep(emu, doc, ctx.now)
        doc["revokedApiKeys"] = revoked
        doc.update(status="archived", archivedAt=orgs.iso_b(ctx.now))
        touch(ctx, doc)
    return Reply(
        200,
        {
            "id": doc["id"],
            "status": "archived",
            "archivedAt": doc["archivedAt"],
            "reclaimedCredits": doc["reclaimedCredits"],
            "revokedApiKeys": doc["revokedApiKeys"],
        },
    )


def _set_status(status: str) -> RouteSpec:
    def handler(ctx: Ctx) -> Reply:
        doc = orgs.child(ctx.emu, ctx.params["orgId"])
        live(doc)
        if doc["status"] != status:  # idempotent by state
            doc["status"] = status
            touch(ctx, doc)
        return Reply(200, org_row(doc))

    verb = "suspend" if status == "suspended" else "resume"
    return RouteSpec(
        "POST",
        f"{ORG}/{verb}",
        handler,
        ADMIN,
        revisions=("b",),
        id_prefix="org",
        extra_errors=("409",),
    )


def migrate(ctx: Ctx) -> Reply:
    """Flat projects into children, all or nothing; refused while any of them runs a job."""
    emu = ctx.emu
    body = ctx.body_as(MigrateProjects)
    if emu.org_id != emu.root_org_id:
        raise invalid("", "a child organization cannot create organizations (one level deep)")
    projects = _mapped_projects(ctx, body.mapping)
    targets = _named_targets(ctx, projects)
    _check_bindings(ctx, projects, targets)
    created: dict[str, JSON] = {}
    moved: dict[str, list[str]] = {}
    for project, target in projects:
        into = targets[target] or created.get(target)
        if into is None:
            into = created[target] = _new_child(ctx, target, None, None)
        project["organizationId"] = into["id"]
        project["updatedAt"] = iso(ctx.now)
        emu.store.put("project", project)
        moved.setdefault(into["id"], []).append(f"prj_{project['id']}")
    names = {d["id"]: d["name"] for d in [*created.values(), *filter(None, targets.values())]}
    children = [{"id": i, "name": names[i], "projectIds": ids} for i, ids in moved.items()]
    reply = {"projectsMoved": len(projects), "childrenCreated": len(created), "children": children}
    return Reply(201, reply)


def _mapped_projects(ctx: Ctx, mapping: dict[str, str]) -> list[tuple[JSON, str]]:
    """Each mapped project (of this organization) with its target; none of them running a job."""
    emu = ctx.emu
    projects: list[tuple[JSON, str]] = []
    for raw, target in mapping.items():
        ident = _parse_uuid(raw, "prj")
        project = emu.store.get("project", ident) if ident else None
        if project is None or project["organizationId"] != emu.org_id:
            raise not_found("project", raw)
        projects.append((project, target))
    busy = [
        f"prj_{p['id']}"
        for p, _ in projects
        if any(j["status"] == "running" for j in emu.store.children("job", p["id"]))
    ]
    if busy:
        raise conflict(
            "a job is running in a mapped project; nothing was moved — retry when it ends",
            projectIds=busy,
        )
    return projects


def _named_targets(ctx: Ctx, projects: list[tuple[JSON, str]]) -> dict[str, JSON | None]:
    """Target → the live child an `org_…` id names, or None for a name (a child to create)."""
    targets: dict[str, JSON | None] = {}
    for _, target in projects:
        if target in targets:
            continue
        by_id = target.startswith("org_") and ctx.emu.settings.migrate_targets == "name_or_id"
        named = _parse_uuid(target, "org") if by_id else None
        if named is None:
            targets[target] = None
            continue
        existing = orgs.get(ctx.emu, named)
        if existing is None or existing["parentOrganizationId"] != ctx.emu.org_id:
            raise not_found("organization", target)
        live(existing)
        targets[target] = existing
    return targets


def _check_bindings(
    ctx: Ctx, projects: list[tuple[JSON, str]], targets: dict[str, JSON | None]
) -> None:
    """An active project may not bring a customerExternalId an existing child already binds."""
    for project, target in projects:
        existing = targets[target]
        external = project["customerExternalId"]
        if existing is None or not external or project["status"] != "active":
            continue
        for other in ctx.emu.store.projects_by_external_id(external):
            if other["organizationId"] == existing["id"] and other["status"] == "active":
                raise conflict(
                    f"customerExternalId {external!r} is already bound to an active project "
                    "of that organization",
                    projectId=f"prj_{other['id']}",
                )


def routes() -> list[RouteSpec]:
    b = ("b",)
    q = queries
    return [
        RouteSpec(
            "POST", BASE, create, ADMIN, body=CreateOrganization, revisions=b, id_prefix="org"
        ),
        RouteSpec(
            "GET",
            BASE,
            list_children,
            ADMIN,
            query=q.OrganizationsQuery,
            revisions=b,
            id_prefix="org",
        ),
        RouteSpec(
            "POST",
            BASE + "/migrate",
            migrate,
            ADMIN,
            body=MigrateProjects,
            revisions=b,
            id_prefix="org",
        ),
        RouteSpec("GET", ORG, get_child, ADMIN, revisions=b, id_prefix="org"),
        RouteSpec(
            "PATCH",
            ORG,
            patch_child,
            ADMIN,
            body=PatchOrganization,
            revisions=b,
            id_prefix="org",
        ),
        RouteSpec("DELETE", ORG, archive, ADMIN, revisions=b, id_prefix="org"),
        _set_status("suspended"),
        _set_status("active"),
        *org_credits.routes(),
        *org_keys.routes(),
        RouteSpec(
            "GET",
            "/v1/credits/events",
            org_credits.own_events,
            query=q.CreditEventsQuery,
            revisions=b,
        ),
    ]
