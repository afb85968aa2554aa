"""Documents of each resource kind and their public JSON renderings.

Public ids carry the Rev B prefixes (`cnt_`, `inf_`, `sa_`, `sp_`, `job_`); projects use bare
uuids as the guide shows. Inside the store every id is the bare uuid.
"""

from __future__ import annotations

import math
from typing import Any

from layers_reconcile.emulator.common import JSON, derived_uuid, iso, pid
from layers_reconcile.emulator.store import Store

STAGES: dict[str, tuple[tuple[str, float], ...]] = {
    "project_ingest_github": (
        ("cloning", 0.15),
        ("analyzing", 0.45),
        ("generating_sdk_patch", 0.70),
        ("opening_pr", 0.90),
        ("finalizing", 1.0),
    ),
    "content_generate": (("queued", 0.10), ("generating_visuals", 0.85), ("finalizing", 1.0)),
    "influencer_create": (("queued", 0.15), ("training", 0.90), ("finalizing", 1.0)),
}


def public(doc: JSON) -> JSON:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


# --- projects -----------------------------------------------------------------------------


def new_layers(project_id: str) -> list[JSON]:
    def layer_id(name: str) -> str:
        return "pl_" + derived_uuid(project_id, f"layer/{name}")

    return [
        {
            "projectLayerId": layer_id("content"),
            "kind": "content",
            "templateName": "Social Content",
        },
        {"projectLayerId": layer_id("tiktok"), "kind": "distribution", "platform": "tiktok"},
        {"projectLayerId": layer_id("instagram"), "kind": "distribution", "platform": "instagram"},
    ]


def blocked_count(store: Store, project_id: str) -> int:
    return sum(
        1 for c in store.children("container", project_id) if c["approvalStatus"] == "pending"
    )


def project_view(store: Store, doc: JSON) -> JSON:
    blocked = blocked_count(store, doc["id"])
    return {
        "id": doc["id"],
        "organizationId": doc["organizationId"],
        "name": doc["name"],
        "status": doc["status"],
        "customerExternalId": doc["customerExternalId"],
        "timezone": doc["timezone"],
        "primaryLanguage": doc["primaryLanguage"],
        "ownerEmail": doc["ownerEmail"],
        "brand": doc["brand"],
        "brandContext": doc["brandContext"],
        "ingestState": doc["ingestState"],
        "requiresApproval": doc["requiresApproval"],
        "firstNPostsBlocked": doc["firstNPostsBlocked"],
        "currentBlockedCount": blocked,
        "autoApproveAfter": doc["autoApproveAfter"],
        "approvalPolicy": {
            "requiresApproval": doc["requiresApproval"],
            "firstNPostsBlocked": doc["firstNPostsBlocked"],
            "currentBlockedCount": blocked,
            "autoApproveAfter": doc["autoApproveAfter"],
        },
        "layers": doc["layers"],
        "metadata": doc["metadata"],
        "createdAt": doc["createdAt"],
        "updatedAt": doc["updatedAt"],
        "archivedAt": doc.get("archivedAt"),
    }


def project_item(doc: JSON) -> JSON:
    keys = ("id", "name", "status", "customerExternalId", "timezone", "primaryLanguage")
    item = {k: doc[k] for k in keys}
    item.update(
        ownerEmail=doc["ownerEmail"], createdAt=doc["createdAt"], updatedAt=doc["updatedAt"]
    )
    return item


# --- jobs ---------------------------------------------------------------------------------


def job_end(doc: JSON) -> float:
    return float(doc["_start"] + doc["_duration"] * (doc["_failAt"] or 1.0))


def stage_at(kind: str, fraction: float) -> str:
    for name, end in STAGES[kind]:
        if fraction < end:
            return name
    return STAGES[kind][-1][0]


def job_progress(doc: JSON, now: float) -> tuple[str, float]:
    """The stage and progress of a running job, computed from the clock: monotonic in `now`."""
    cap = doc["_failAt"] or 1.0
    fraction = min(cap, max(0.0, (now - doc["_start"]) / doc["_duration"]))
    return stage_at(doc["kind"], fraction), min(0.99, math.floor(fraction * 100) / 100)


def job_view(doc: JSON, now: float) -> JSON:
    status = doc["status"]
    if status == "running":
        stage, progress = job_progress(doc, now)
    elif status == "completed":
        stage, progress = STAGES[doc["kind"]][-1][0], 1.0
    else:
        stage, progress = doc["_stage"], doc["_progress"]
    view: JSON = {
        "jobId": pid("job", doc["id"]),
        "kind": doc["kind"],
        "status": status,
        "stage": stage,
        "progress": progress,
        "projectId": doc["projectId"],
        "locationUrl": f"/v1/jobs/{pid('job', doc['id'])}",
        "startedAt": doc["startedAt"],
        "finishedAt": doc["finishedAt"],
    }
    view.update(doc["links"])
    view["result"] = doc["result"]
    view["error"] = doc["error"]
    return view


def job_accepted(doc: JSON, now: float) -> JSON:
    """The 202 body of a job-starting call."""
    view = job_view(doc, now)
    for key in ("progress", "finishedAt", "result", "error"):
        view.pop(key)
    return view


# --- influencers --------------------------------------------------------------------------

INFLUENCER_FIELDS = (
    "gender",
    "ageRange",
    "ethnicity",
    "bodyType",
    "hairColor",
    "hairStyle",
    "style",
    "vibe",
    "voiceDescription",
)


def new_influencer(
    ident: str, project: JSON, fields: JSON, now: float, *, job_id: str | None, ready: bool
) -> JSON:
    doc: JSON = {
        "id": ident,
        "projectId": project["id"],
        "name": fields["name"],
        "brandVoice": fields.get("brandVoice") or (project["brandContext"] or {}).get("brandVoice"),
        "language": fields.get("language") or project["primaryLanguage"],
        "status": "ready" if ready else "pending",
        "jobId": job_id,
        "imageUrl": None,
        "thumbnailUrl": None,
        "errorMessage": None,
        "personality": fields.get("personality"),
        "referenceImages": fields.get("referenceImages") or [],
        "createdAt": iso(now),
        "updatedAt": iso(now),
        "deletedAt": None,
    }
    for key in INFLUENCER_FIELDS:
        doc[key] = fields.get(key)
    if ready:
        mark_influencer_ready(doc, now)
    return doc


def mark_influencer_ready(doc: JSON, now: float) -> None:
    base = f"https://cdn.layers.com/influencers/inf_{doc['id']}"
    doc.update(
        status="ready",
        imageUrl=f"{base}/portrait.jpg",
        thumbnailUrl=f"{base}/thumb.jpg",
        updatedAt=iso(now),
    )


def influencer_status(store: Store, doc: JSON, now: float) -> str:
    if doc["status"] != "pending" or not doc["jobId"]:
        return str(doc["status"])
    job = store.get("job", doc["jobId"])
    if job is None or job["status"] != "running":
        return str(doc["status"])
    return "pending" if job_progress(job, now)[0] == "queued" else "training"


def influencer_view(store: Store, doc: JSON, now: float) -> JSON:
    view = public(doc)
    view.pop("id")
    view.pop("deletedAt")
    jid = view.pop("jobId")
    return {
        "influencerId": pid("inf", doc["id"]),
        **view,
        "status": influencer_status(store, doc, now),
        "jobId": pid("job", jid) if jid else None,
    }


def influencer_item(store: Store, doc: JSON, now: float) -> JSON:
    return {
        "influencerId": pid("inf", doc["id"]),
        "projectId": doc["projectId"],
        "name": doc["name"],
        "gender": doc["gender"],
        "ageRange": doc["ageRange"],
        "brandVoice": doc["brandVoice"],
        "status": influencer_status(store, doc, now),
        "thumbnailUrl": doc["thumbnailUrl"],
        "createdAt": doc["createdAt"],
    }


# --- social accounts and posts ------------------------------------------------------------


def account_view(doc: JSON) -> JSON:
    view = public(doc)
    view.pop("id")
    return {"socialAccountId": pid("sa", doc["id"]), **view}


def post_view(doc: JSON) -> JSON:
    view: dict[str, Any] = public(doc)
    view.update(
        id=pid("sp", doc["id"]),
        containerId=pid("cnt", doc["containerId"]),
        socialAccountId=pid("sa", doc["socialAccountId"]),
    )
    return view
