"""The organizations control plane (Rev B only, scope org:admin; CONTRACT-revb.md §2).

Lifecycle (create, list, get with `summary`, patch, archive, suspend, resume, migrate), the
child's credits (wallet, ledger, allocate, credit-config) and the child's API keys (mint, list,
rotate, delete). The child is named in the path; what a child holds is found through `orgs`.
"""

from __future__ import annotations

import json

from layers_reconcile.emulator import orgs, posts, queries
from layers_reconcile.emulator.common import JSON, canonical, digest, iso, new_uuid, parse_instant
from layers_reconcile.emulator.common import parse_uuid as _parse_uuid
from layers_reconcile.emulator.dispatcher import IDEMPOTENCY_TTL
from layers_reconcile.emulator.http import (
    ApiError,
    Reply,
    conflict,
    invalid,
    listing,
    not_found,
    paginate,
)
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.organizations import (
    PARTNER_METADATA_KEYS,
    AllocateCredits,
    CreateOrganization,
    MigrateProjects,
    MintChildKey,
    PatchCreditConfig,
    PatchOrganization,
)
from layers_reconcile.emulator.state import ORG_ADMIN

ADMIN = (ORG_ADMIN,)
BASE = "/v1/organizations"
ORG = BASE + "/{orgId}"
GRACE = 24 * 3600.0
ALLOCATION_RECORD = "allocation_idem"


def org_row(doc: JSON) -> JSON:
    return {
        "id": doc["id"],
        "parentOrganizationId": doc["parentOrganizationId"],
        "name": doc["name"],
        "status": doc["status"],
        "metadata": dict(doc["metadata"]),
        "billingEmail": doc["billingEmail"],
        "archivedAt": doc["archivedAt"],
        "createdAt": doc["createdAt"],
        "updatedAt": doc["updatedAt"],
    }


def _projects_of(ctx: Ctx, org_id: str) -> list[JSON]:
    return [p for p in ctx.emu.store.all("project") if p["organizationId"] == org_id]


def _live(doc: JSON) -> None:
    if doc["status"] == "archived":
        raise conflict(
            "the organization is archived (terminal); a returning customer needs a new one",
            organizationId=doc["id"],
            status="archived",
        )


def _touch(ctx: Ctx, doc: JSON) -> None:
    doc["updatedAt"] = orgs.iso_b(ctx.now)
    ctx.emu.store.put(orgs.KIND, doc)


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
    _live(doc)
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
    _touch(ctx, doc)
    return Reply(200, org_row(doc))


def archive(ctx: Ctx) -> Reply:
    """Terminal: the child's keys revoked, its balance swept back to the parent."""
    emu = ctx.emu
    doc = orgs.child(emu, ctx.params["orgId"])
    if doc["status"] != "archived":
        revoked = 0
        for key in _keys_of(ctx, doc["id"]):
            if key["status"] == "active":
                key.update(status="revoked", revokedAt=orgs.iso_b(ctx.now))
                emu.store.put("apikey", key)
                revoked += 1
        for project in _projects_of(ctx, doc["id"]):  # nothing more publishes for it
            posts.cancel_queued(emu, ctx.now, project_id=project["id"])
        doc["reclaimedCredits"] = orgs.sweep(emu, doc, ctx.now)
        doc["revokedApiKeys"] = revoked
        doc.update(status="archived", archivedAt=orgs.iso_b(ctx.now))
        _touch(ctx, doc)
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
        _live(doc)
        if doc["status"] != status:  # idempotent by state
            doc["status"] = status
            _touch(ctx, doc)
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
    projects: list[tuple[JSON, str]] = []
    for raw, target in body.mapping.items():
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
    targets: dict[str, JSON | None] = {}
    for _, target in projects:
        if target in targets:
            continue
        by_id = target.startswith("org_") and emu.settings.migrate_targets == "name_or_id"
        named = _parse_uuid(target, "org") if by_id else None
        if named is None:
            targets[target] = None
            continue
        existing = orgs.get(emu, named)
        if existing is None or existing["parentOrganizationId"] != emu.org_id:
            raise not_found("organization", target)
        _live(existing)
        targets[target] = existing
    for project, target in projects:
        existing = targets[target]
        external = project["customerExternalId"]
        if existing is None or not external or project["status"] != "active":
            continue
        for other in emu.store.projects_by_external_id(external):
            if other["organizationId"] == existing["id"] and other["status"] == "active":
                raise conflict(
                    f"customerExternalId {external!r} is already bound to an active project "
                    "of that organization",
                    projectId=f"prj_{other['id']}",
                )
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


# --- credits ----------------------------------------------------------------------------------


def child_credits(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    return Reply(200, orgs.credits_view(ctx.emu, doc["id"], ctx.now))


def _events(ctx: Ctx, org_id: str) -> Reply:
    q = ctx.query_as(queries.CreditEventsQuery)
    events = orgs.events_of(ctx.emu, org_id)
    if q.projectId is not None:
        project = _parse_uuid(q.projectId, "prj")
        if project is None:
            raise invalid("projectId", "must be a project id (prj_<uuid> or <uuid>)")
        events = [e for e in events if e["_project"] == project]
    if q.eventType is not None:
        events = [e for e in events if e["eventType"] == q.eventType]
    since = parse_instant(q.since) if q.since else None
    until = parse_instant(q.until) if q.until else None
    events = [
        e
        for e in events
        if (since is None or e["_ts"] >= since) and (until is None or e["_ts"] < until)
    ]
    page, cursor = paginate(events, lambda e: (-e["_seq"],), q.cursor, q.limit or 25)
    return Reply(200, listing([orgs.event_view(e) for e in page], cursor))


def child_events(ctx: Ctx) -> Reply:
    return _events(ctx, orgs.child(ctx.emu, ctx.params["orgId"])["id"])


def own_events(ctx: Ctx) -> Reply:
    """`GET /v1/credits/events`: the acting organization's own ledger."""
    return _events(ctx, ctx.emu.org_id)


def allocate(ctx: Ctx) -> Reply:
    """A transfer from the parent, exactly once per Idempotency-Key (required; 24 h window)."""
    emu = ctx.emu
    doc = orgs.child(emu, ctx.params["orgId"])
    idem = ctx.request.headers.get("idempotency-key", "").strip()
    if not idem:
        raise ApiError(
            400,
            "IDEMPOTENCY_REQUIRED",
            "POST /v1/organizations/:orgId/credits/allocate needs an Idempotency-Key header.",
            {"header": "Idempotency-Key"},
        )
    if len(idem) > 255:
        raise invalid("Idempotency-Key", "must be at most 255 characters")
    body = ctx.body_as(AllocateCredits)
    record_id = digest("allocate", emu.org_id, doc["id"], idem)
    fingerprint = digest(canonical(ctx.body))
    record = emu.store.get(ALLOCATION_RECORD, record_id)
    if record is not None and ctx.now - record["_createdTs"] < IDEMPOTENCY_TTL:
        if record["fingerprint"] != fingerprint:
            raise ApiError(
                409,
                "IDEMPOTENCY_CONFLICT",
                "This Idempotency-Key was used with a different request body.",
                {"idempotencyKey": idem},
            )
        return Reply(200, {**json.loads(record["body"]), "replayed": True})
    _live(doc)
    txn = orgs.transfer(
        emu, doc, body.credits, ctx.now, description=body.description, metadata=body.metadata
    )
    held = orgs.balance(emu, doc["id"])
    reply: JSON = {
        "id": txn,
        "organizationId": doc["id"],
        "credits": body.credits,
        "allocated": body.credits,
        "created": orgs.iso_b(ctx.now),
        "description": body.description,
        "metadata": dict(body.metadata or {}),
        "balance": held,
        "available": held,
        "replayed": False,
    }
    emu.store.put(
        ALLOCATION_RECORD,
        {
            "id": record_id,
            "fingerprint": fingerprint,
            "body": json.dumps(reply),
            "_createdTs": ctx.now,
        },
    )
    orgs.refill(emu, doc, ctx.now)
    return Reply(200, reply)


def _config(ctx: Ctx, doc: JSON) -> JSON:
    held = orgs.balance(ctx.emu, doc["id"])
    return {
        "organizationId": doc["id"],
        "config": orgs.config_view(doc),
        "balance": held,
        "available": held,
    }


def get_config(ctx: Ctx) -> Reply:
    return Reply(200, _config(ctx, orgs.child(ctx.emu, ctx.params["orgId"])))


def patch_config(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    body = ctx.body_as(PatchCreditConfig)
    _live(doc)
    config = {**doc["creditConfig"], **body.model_dump(include=body.model_fields_set)}
    if (config["refillThreshold"] is None) != (config["refillAmount"] is None):
        issues = [
            {
                "path": name,
                "message": "refillThreshold and refillAmount are set together or both null",
            }
            for name in ("refillThreshold", "refillAmount")
            if config[name] is None
        ]
        raise ApiError(
            422,
            "VALIDATION",
            "auto-refill needs both refillThreshold and refillAmount (or neither)",
            {"issues": issues},
        )
    doc["creditConfig"] = config
    _touch(ctx, doc)
    orgs.refill(ctx.emu, doc, ctx.now)
    return Reply(200, _config(ctx, doc))


# --- child API keys -------------------------------------------------------------------------


def _keys_of(ctx: Ctx, org_id: str) -> list[JSON]:
    return [k for k in ctx.emu.store.all("apikey") if k.get("organizationId") == org_id]


def key_row(doc: JSON) -> JSON:
    return {
        "id": doc["id"],
        "organizationId": doc["organizationId"],
        "name": doc["name"],
        "prefix": doc["prefix"],
        "env": doc["env"],
        "scopes": list(doc["scopes"]),
        "rateLimitTier": doc["rateLimitTier"],
        "status": doc["status"],
        "createdAt": doc["createdAt"],
        "lastUsedAt": None,
        "rotatedAt": doc["rotatedAt"],
        "revokedAt": doc["revokedAt"],
        "graceUntil": doc["graceUntil"],
        "supersededBy": doc["supersededBy"],
    }


def _mint(ctx: Ctx, org: JSON, name: str, scopes: list[str], env: str) -> JSON:
    emu = ctx.emu
    extra = {
        "organizationId": org["id"],
        "env": env,
        "status": "active",
        "rateLimitTier": "sandbox" if env == "test" else emu.settings.reported_tier,
        "rotatedAt": None,
        "revokedAt": None,
        "graceUntil": None,
        "supersededBy": None,
    }
    raw, doc = emu.create_key(scopes, None, name, extra)
    doc["createdAt"] = orgs.iso_b(ctx.now)
    doc["prefix"] = raw[: len(f"lp_{env}_") + 4] + "…"
    emu.store.put("apikey", doc)
    return {**key_row(doc), "secret": raw}


def mint_key(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    body = ctx.body_as(MintChildKey)
    _live(doc)
    held = ctx.key.scopes
    for scope in body.scopes:
        if scope == ORG_ADMIN or ("*" not in held and scope not in held):
            why = "is never delegated" if scope == ORG_ADMIN else "is not held by this key"
            raise ApiError(
                403,
                "FORBIDDEN_SCOPE",
                f"A child key cannot have the scope {scope}: it {why}.",
                {"scope": scope, "grantedScopes": list(held)},
            )
    minted = _mint(ctx, doc, body.name, list(dict.fromkeys(body.scopes)), body.env or "live")
    return Reply(201, minted)


def list_keys(ctx: Ctx) -> Reply:
    doc = orgs.child(ctx.emu, ctx.params["orgId"])
    q = ctx.query_as(queries.Page100)
    page, cursor = paginate(
        _keys_of(ctx, doc["id"]), lambda k: (-k["_seq"],), q.cursor, q.limit or 25
    )
    return Reply(200, listing([key_row(k) for k in page], cursor))


def _child_key(ctx: Ctx, org: JSON) -> JSON:
    raw = ctx.params["keyId"]
    ident = _parse_uuid(raw, "key")
    if ident is None:
        raise invalid("keyId", "must be an API key id (key_<uuid> or <uuid>)")
    doc = ctx.emu.store.get("apikey", ident)
    if doc is None or doc.get("organizationId") != org["id"]:
        raise not_found("API key", raw)
    return doc


def rotate_key(ctx: Ctx) -> Reply:
    """A new secret (new id, same scopes); the old one keeps working for 24 hours."""
    org = orgs.child(ctx.emu, ctx.params["orgId"])
    old = _child_key(ctx, org)
    _live(org)
    if old["status"] != "active" or old["supersededBy"] is not None:
        raise conflict(
            "only the current, active key of a chain can be rotated",
            apiKeyId=f"key_{old['id']}",
            supersededBy=old["supersededBy"],
        )
    new = _mint(ctx, org, old["name"], list(old["scopes"]), old["env"])
    old.update(
        supersededBy=new["id"],
        rotatedAt=orgs.iso_b(ctx.now),
        graceUntil=orgs.iso_b(ctx.now + GRACE),
        _graceTs=ctx.now + GRACE,
    )
    ctx.emu.store.put("apikey", old)
    return Reply(201, new)


def delete_key(ctx: Ctx) -> Reply:
    org = orgs.child(ctx.emu, ctx.params["orgId"])
    doc = _child_key(ctx, org)
    if doc["status"] != "revoked":  # immediate: no grace
        doc.update(status="revoked", revokedAt=orgs.iso_b(ctx.now))
        ctx.emu.store.put("apikey", doc)
    return Reply(200, {"apiKey": key_row(doc), "revokedAt": doc["revokedAt"], "deleted": True})


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
        RouteSpec("GET", ORG + "/credits", child_credits, ADMIN, revisions=b),
        RouteSpec(
            "GET",
            ORG + "/credits/events",
            child_events,
            ADMIN,
            query=q.CreditEventsQuery,
            revisions=b,
        ),
        RouteSpec(
            "POST",
            ORG + "/credits/allocate",
            allocate,
            ADMIN,
            idempotent=False,
            body=AllocateCredits,
            revisions=b,
            extra_errors=("400", "402"),
        ),
        RouteSpec("GET", ORG + "/credit-config", get_config, ADMIN, revisions=b),
        RouteSpec(
            "PATCH",
            ORG + "/credit-config",
            patch_config,
            ADMIN,
            body=PatchCreditConfig,
            revisions=b,
        ),
        RouteSpec(
            "POST",
            ORG + "/api-keys",
            mint_key,
            ADMIN,
            body=MintChildKey,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "GET",
            ORG + "/api-keys",
            list_keys,
            ADMIN,
            query=q.Page100,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "POST",
            ORG + "/api-keys/{keyId}/rotate",
            rotate_key,
            ADMIN,
            revisions=b,
            id_prefix="key",
        ),
        RouteSpec(
            "DELETE", ORG + "/api-keys/{keyId}", delete_key, ADMIN, revisions=b, id_prefix="key"
        ),
        RouteSpec("GET", "/v1/credits/events", own_events, query=q.CreditEventsQuery, revisions=b),
    ]
