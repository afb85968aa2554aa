"""Child organizations (Rev B, CONTRACT-revb.md §1-§3): who acts where, wallets and ledgers.

One partner organization (`Emulator.root_org_id`) may create child organizations, one level
deep. Each organization has a wallet: the partner's is the included credits less what it spent
and what it moved to its children; a child's holds what was allocated to it. Every movement is a
row of the organization's credit ledger (`credit_event` documents). `resolve` decides, once per
request, which organization the request acts inside (the `X-Layers-Organization` header, or a
child's own key); the routes then act there through `tenancy`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from layers_reconcile.emulator import fakes
from layers_reconcile.emulator.common import JSON, iso, new_uuid, parse_uuid
from layers_reconcile.emulator.http import ApiError, conflict, invalid, not_found
from layers_reconcile.emulator.state import ORG_ADMIN, ApiKey, Emulator

INCLUDED_CREDITS = 100_000
HEADER = "X-Layers-Organization"
KIND = "organization"
EVENT = "credit_event"


def iso_b(ts: float) -> str:
    """The organization pages' timestamps: `2026-06-01T14:30:00.000000+00:00`."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


def _period(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m")


def _period_bounds(now: float) -> tuple[str, str]:
    start = datetime.fromtimestamp(now, UTC).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return iso(start.timestamp()), iso(end.timestamp())


# --- finding organizations ----------------------------------------------------------------


def get(emu: Emulator, org_id: str) -> JSON | None:
    return emu.store.get(KIND, org_id)


def child(emu: Emulator, raw: str, param: str = "orgId") -> JSON:
    """A direct child of the acting organization named in a path; 404 for anything else."""
    ident = parse_uuid(raw, "org")
    if ident is None:
        raise invalid(param, "must be an organization id (org_<uuid> or <uuid>)")
    doc = get(emu, ident)
    if doc is None or doc["parentOrganizationId"] != emu.org_id:
        raise not_found("organization", raw)
    return doc


def children_of(emu: Emulator, parent_id: str) -> list[JSON]:
    return [d for d in emu.store.all(KIND) if d["parentOrganizationId"] == parent_id]


def kill_switch(doc: JSON) -> ApiError:
    return ApiError(
        503,
        "KILL_SWITCH",
        "This organization is suspended; its parent resumes it with POST "
        "/v1/organizations/:orgId/resume.",
        {"organizationId": doc["id"], "status": doc["status"]},
    )


def resolve(emu: Emulator, key: ApiKey, header: str | None) -> str | None:
    """The organization a request acts inside: None for the partner's own, else a child's id.

    A child's own key acts inside its child and may not name another (403 FORBIDDEN_SCOPE); a
    parent key naming a child needs org:admin. A name that is not a direct child is 404.
    """
    named = header.strip() if header else ""
    if key.organization_id is not None:
        if named:
            raise ApiError(
                403,
                "FORBIDDEN_SCOPE",
                f"A child organization's key cannot send {HEADER}: only a parent key holding "
                f"{ORG_ADMIN} acts inside a child.",
                {"requiredScopes": [ORG_ADMIN], "header": HEADER},
            )
        doc = get(emu, key.organization_id)
        if doc is None or doc["status"] == "archived":
            raise ApiError(401, "UNAUTHENTICATED", "A valid API key is required.")
        if doc["status"] == "suspended":
            raise kill_switch(doc)
        return str(doc["id"])
    if not named or emu.revision != "b":
        return None
    if not key.grants((ORG_ADMIN,)):
        raise ApiError(
            403,
            "FORBIDDEN_SCOPE",
            f"Acting inside a child organization ({HEADER}) needs the scope {ORG_ADMIN}.",
            {"requiredScopes": [ORG_ADMIN], "grantedScopes": list(key.scopes), "header": HEADER},
        )
    ident = parse_uuid(named, "org")
    if ident is None:
        raise invalid(HEADER, "must be a child organization id (org_<uuid>)")
    doc = get(emu, ident)
    if doc is None or doc["parentOrganizationId"] != emu.root_org_id:
        raise not_found("organization", named)
    if doc["status"] == "archived":
        if emu.settings.archived_child_status == 409:
            raise conflict(
                "the organization is archived (terminal); a returning customer needs a new one",
                organizationId=doc["id"],
                status="archived",
            )
        raise not_found("organization", named)
    if doc["status"] == "suspended" and emu.settings.suspended_child_header == "kill_switch":
        raise kill_switch(doc)
    return str(doc["id"])


# --- wallets ------------------------------------------------------------------------------


def _root(emu: Emulator) -> JSON:
    return emu.store.get("org", emu.root_org_id) or {"id": emu.root_org_id, "creditsUsed": 0}


def _roll(doc: JSON, now: float) -> None:
    if doc.get("period") != _period(now):
        doc["period"] = _period(now)
        doc["usedThisPeriod"] = 0


def balance(emu: Emulator, org_id: str) -> int:
    if org_id == emu.root_org_id:
        root = _root(emu)
        return INCLUDED_CREDITS - int(root["creditsUsed"]) - int(root.get("creditsMoved", 0))
    doc = get(emu, org_id)
    return int(doc["balance"]) if doc is not None else 0


def credits_view(emu: Emulator, org_id: str, now: float) -> JSON:
    """`GET /v1/credits` (and a child's wallet): nothing is reserved, debits happen at once."""
    held = balance(emu, org_id)
    start, end = _period_bounds(now)
    if org_id == emu.root_org_id:
        used, included, tier = int(_root(emu)["creditsUsed"]), INCLUDED_CREDITS, "partner"
    else:
        doc = get(emu, org_id)
        assert doc is not None
        _roll(doc, now)
        used, included, tier = int(doc["usedThisPeriod"]), 0, "child"
    return {
        "organizationId": org_id,
        "balance": held,
        "available": held,
        "includedRemaining": held if included else 0,
        "prepaidBalance": 0 if included else held,
        "reservedCredits": 0,
        "includedThisPeriod": included,
        "usedThisPeriod": used,
        "currentPeriod": {"start": start, "end": end, "usedCredits": used},
        "subscriptionTier": tier,
        "billingStatus": "active",
        "estimatedCreditsPerFormat": dict(fakes.CREDITS_PER_FORMAT),
        "ingestCostsBilled": {"github": False, "website": False, "appstore": False},
    }


def _move(emu: Emulator, org_id: str, credits: int) -> None:
    """Add `credits` (negative: take) to an organization's wallet, outside generation."""
    if org_id == emu.root_org_id:
        root = _root(emu)
        root["creditsMoved"] = int(root.get("creditsMoved", 0)) - credits
        emu.store.put("org", root)
        return
    doc = get(emu, org_id)
    assert doc is not None
    doc["balance"] = int(doc["balance"]) + credits
    emu.store.put(KIND, doc)


def record(
    emu: Emulator, org_id: str, credits: int, event_type: str, now: float, **extra: Any
) -> JSON:
    """A ledger row of `org_id`; `extra` may name projectId, format, containerId, metadata..."""
    doc = get(emu, org_id)
    used = int(doc["usedThisPeriod"]) if doc is not None else int(_root(emu)["creditsUsed"])
    event: JSON = {
        "id": extra.pop("id", None) or new_uuid(),
        "organizationId": org_id,
        "projectId": None,
        "credits": credits,
        "eventType": event_type,
        "format": None,
        "containerId": None,
        "workflowId": None,
        "description": None,
        "metadata": None,
        "transferId": None,
        "balanceAfterPrepaid": balance(emu, org_id),
        "usageAfterPeriod": used,
        "createdAt": iso(now),
        "_ts": now,
        **extra,
    }
    # events carry no `projectId` index: the ledger of a project is filtered from its org's
    event["_project"] = event.pop("projectId")
    return emu.store.put(EVENT, event)


def event_view(event: JSON) -> JSON:
    project = event["_project"]
    return {
        "eventId": event["id"],
        "projectId": f"prj_{project}" if project else None,
        "credits": event["credits"],
        "eventType": event["eventType"],
        "format": event["format"],
        "containerId": event["containerId"],
        "workflowId": event["workflowId"],
        "description": event["description"],
        "metadata": event["metadata"],
        "transferId": event["transferId"],
        "balanceAfterPrepaid": event["balanceAfterPrepaid"],
        "usageAfterPeriod": event["usageAfterPeriod"],
        "createdAt": event["createdAt"],
    }


def events_of(emu: Emulator, org_id: str) -> list[JSON]:
    return [e for e in emu.store.all(EVENT) if e["organizationId"] == org_id]


def short(needed: int, available: int, **details: Any) -> ApiError:
    return ApiError(
        402,
        "BILLING_EXHAUSTED",
        f"{needed} credits are needed and {available} are available",
        {"requiredCredits": needed, "available": available, **details},
    )


def transfer(
    emu: Emulator,
    target: JSON,
    credits: int,
    now: float,
    *,
    description: str | None = None,
    metadata: JSON | None = None,
) -> str:
    """Move `credits` from the parent to its child `target`; the parent-side row is `txn_<id>`."""
    parent = str(target["parentOrganizationId"])
    held = balance(emu, parent)
    if held < credits:
        raise short(credits, held, organizationId=parent)
    txn = new_uuid()
    partner = dict(metadata or {})
    _move(emu, parent, -credits)
    _move(emu, target["id"], credits)
    out = {**partner, "direction": "out", "counterpartyOrgId": f"org_{target['id']}"}
    record(
        emu,
        parent,
        -credits,
        "allocation",
        now,
        id=txn,
        description=description,
        metadata=out,
        transferId=f"txn_{txn}",
    )
    into = {**partner, "direction": "in", "counterpartyOrgId": f"org_{parent}"}
    record(
        emu,
        target["id"],
        credits,
        "allocation",
        now,
        description=description,
        metadata=into,
        transferId=f"txn_{txn}",
    )
    return f"txn_{txn}"


def sweep(emu: Emulator, target: JSON, now: float) -> int:
    """Archive: the child's whole balance back to its parent (nothing is ever reserved)."""
    credits = balance(emu, target["id"])
    if credits <= 0:
        return 0
    parent = str(target["parentOrganizationId"])
    txn = new_uuid()
    _move(emu, target["id"], -credits)
    _move(emu, parent, credits)
    meta = {"reason": "archive"}
    record(
        emu,
        target["id"],
        -credits,
        "allocation",
        now,
        metadata={**meta, "direction": "out", "counterpartyOrgId": f"org_{parent}"},
        transferId=f"txn_{txn}",
    )
    record(
        emu,
        parent,
        credits,
        "allocation",
        now,
        id=txn,
        metadata={**meta, "direction": "in", "counterpartyOrgId": f"org_{target['id']}"},
        transferId=f"txn_{txn}",
    )
    return credits


def config_view(doc: JSON) -> JSON:
    config = doc["creditConfig"]
    return {
        "monthlyCreditCap": config["monthlyCreditCap"],
        "refillThreshold": config["refillThreshold"],
        "refillAmount": config["refillAmount"],
        "autoRefillEnabled": config["refillThreshold"] is not None
        and config["refillAmount"] is not None,
    }


def refill(emu: Emulator, doc: JSON, now: float) -> None:
    """Auto-refill: below the threshold, the parent sends `refillAmount` (if it has it)."""
    config = config_view(doc)
    if not config["autoRefillEnabled"] or doc["status"] != "active":
        return
    if balance(emu, doc["id"]) >= config["refillThreshold"]:
        return
    amount = int(config["refillAmount"])
    if balance(emu, doc["parentOrganizationId"]) < amount:
        return  # the parent is short: the child spends what it has, then 402
    transfer(emu, doc, amount, now, description="auto-refill", metadata={"reason": "auto_refill"})


def require(emu: Emulator, cost: int, what: str, now: float) -> None:
    """Refuse a generation the acting organization cannot pay for (402) or may not spend on."""
    org_id = emu.org_id
    doc = get(emu, org_id)
    if doc is not None:
        if doc["status"] != "active":
            raise kill_switch(doc)  # a suspended child spends nothing, whoever asks
        _roll(doc, now)
        refill(emu, doc, now)
        cap = doc["creditConfig"]["monthlyCreditCap"]
        if cap is not None and int(doc["usedThisPeriod"]) + cost > cap:
            raise short(
                cost,
                max(0, cap - int(doc["usedThisPeriod"])),
                format=what,
                monthlyCreditCap=cap,
                usedThisPeriod=doc["usedThisPeriod"],
            )
    held = balance(emu, org_id)
    if held < cost:
        raise short(cost, held, format=what)


def spend(
    emu: Emulator, project: JSON, cost: int, fmt: str, container_ids: list[str], now: float
) -> None:
    """A generation's debit, from the wallet of the project's organization, on its ledger."""
    org_id = str(project.get("organizationId") or emu.root_org_id)
    doc = get(emu, org_id)
    if doc is None:
        root = _root(emu)
        root["creditsUsed"] = int(root["creditsUsed"]) + cost
        emu.store.put("org", root)
    else:
        _roll(doc, now)
        doc["balance"] = int(doc["balance"]) - cost
        doc["usedThisPeriod"] = int(doc["usedThisPeriod"]) + cost
        emu.store.put(KIND, doc)
    record(
        emu,
        org_id,
        -cost,
        "usage",
        now,
        projectId=project["id"],
        format=fmt,
        containerId=f"cnt_{container_ids[0]}" if container_ids else None,
    )
    if doc is not None:
        refill(emu, doc, now)


def suspended(emu: Emulator, project_id: str) -> bool:
    """Whether the project's organization is a suspended child (its scheduled work holds)."""
    project = emu.store.get("project", project_id)
    doc = get(emu, str(project["organizationId"])) if project is not None else None
    return doc is not None and doc["status"] == "suspended"


def parent_of(emu: Emulator, org_id: str) -> str | None:
    doc = get(emu, org_id)
    return str(doc["parentOrganizationId"]) if doc is not None else None
