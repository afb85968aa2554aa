"""Content containers: generation, the approval gate, schedule intents and their promotion."""

from __future__ import annotations

from collections.abc import Callable

from layers_reconcile.emulator import fakes, orgs
from layers_reconcile.emulator.common import (
    JSON,
    derived_uuid,
    iso,
    iso_instant,
    parse_duration,
    pid,
)
from layers_reconcile.emulator.http import conflict
from layers_reconcile.emulator.jobs import start_job
from layers_reconcile.emulator.posts import create_post
from layers_reconcile.emulator.resources import job_progress, public
from layers_reconcile.emulator.state import Emulator

DEFAULT_PLATFORMS = ["tiktok", "instagram"]


def gate_applies(emu: Emulator, project: JSON) -> bool:
    """New content needs approval while the project requires it for its first N (or all) posts."""
    if not project["requiresApproval"]:
        return False
    first_n = project["firstNPostsBlocked"]
    if not first_n:
        return True
    gated = sum(1 for c in emu.store.children("container", project["id"]) if c["gated"])
    return gated < int(first_n)


def gate_applies_b(emu: Emulator, project: JSON) -> bool:
    """Rev B's first-N gate: new content waits while fewer than N items have left `pending`.

    There is no counter: the containers approved or rejected under the gate are counted again
    at each generation (CONTRACT-revb.md §6.3); `review_all` gates everything.
    """
    if not project["requiresApproval"]:
        return False
    first_n = project["firstNPostsBlocked"]
    if not first_n:
        return True
    cleared = sum(
        1
        for c in emu.store.children("container", project["id"])
        if c["gated"] and c["approvalStatus"] in ("approved", "rejected")
    )
    return cleared < int(first_n)


def generate(
    emu: Emulator,
    project: JSON,
    first_id: str,
    request: JSON,
    fmt: str,
    now: float,
    gate: Callable[[Emulator, JSON], bool] = gate_applies,
) -> tuple[JSON, list[JSON]]:
    ids = [first_id] + [
        derived_uuid(first_id, f"variant/{i}") for i in range(1, request["variantCount"])
    ]
    job = start_job(
        emu,
        "content_generate",
        project["id"],
        now,
        links={"containerIds": [pid("cnt", i) for i in ids], "format": fmt},
        payload={"containerIds": ids, "preserveAssets": False},
    )
    containers = []
    for index, ident in enumerate(ids):
        gated = gate(emu, project)
        doc: JSON = {
            "id": ident,
            "projectId": project["id"],
            "jobId": job["id"],
            "createJobId": job["id"],
            "status": "generating",
            "approvalStatus": "pending" if gated else "not_required",
            "gated": gated,
            "format": fmt,
            "request": request,
            "brief": request["brief"],
            "variantIndex": index,
            "projectLayerId": project["layers"][0]["projectLayerId"],
            "captionVariants": [],
            "mediaAssets": [],
            "generation": 0,
            "createdAt": iso(now),
            "updatedAt": iso(now),
            "completedAt": None,
            "_createdTs": now,
            "approvedAt": None,
            "approvedBy": None,
            "approvalNote": None,
            "rejectedAt": None,
            "rejectedBy": None,
            "rejectionReason": None,
            "lastError": None,
            "intents": [],
        }
        containers.append(emu.store.put("container", doc))
    cost = fakes.CREDITS_PER_FORMAT[request["format"]] * len(ids)
    orgs.spend(emu, project, cost, request["format"], ids, now)
    return job, containers


def regenerate(
    emu: Emulator, project: JSON, doc: JSON, brief: JSON, preserve_assets: bool, now: float
) -> JSON:
    job = start_job(
        emu,
        "content_generate",
        project["id"],
        now,
        links={"containerIds": [pid("cnt", doc["id"])], "format": doc["format"]},
        payload={"containerIds": [doc["id"]], "preserveAssets": preserve_assets},
    )
    doc.update(
        jobId=job["id"], status="generating", brief=brief, updatedAt=iso(now), lastError=None
    )
    if doc["gated"] and project["requiresApproval"]:
        doc.update(approvalStatus="pending", approvedAt=None, approvedBy=None)
        doc.update(rejectedAt=None, rejectedBy=None, rejectionReason=None)
    emu.store.put("container", doc)
    return job


def status_of(emu: Emulator, doc: JSON, now: float) -> str:
    if doc["status"] != "generating":
        return str(doc["status"])
    job = emu.store.get("job", doc["jobId"])
    if job is not None and job["status"] == "running" and job_progress(job, now)[0] == "queued":
        return "queued"
    return "processing" if emu.revision == "b" else "generating"  # Rev B's word for it


def complete(emu: Emulator, doc: JSON, job: JSON, at: float) -> None:
    project = emu.store.get("project", doc["projectId"])
    brand = (project or {}).get("brandContext") or {"appName": (project or {}).get("name")}
    platforms = doc["brief"].get("targetPlatforms") or DEFAULT_PLATFORMS
    seed = emu.settings.seed
    variant = doc["variantIndex"] + 100 * doc["generation"]
    captions = fakes.captions(brand, doc["brief"], platforms, variant, seed)
    doc["generation"] += 1
    if not (job["payload"].get("preserveAssets") and doc["mediaAssets"]):
        doc["mediaAssets"] = fakes.media_assets(doc["id"], doc["format"], doc["generation"], seed)
    doc.update(
        status="completed",
        captionVariants=captions,
        completedAt=iso(at),
        updatedAt=iso(at),
        _completedTs=at,
    )
    emu.store.put("container", doc)
    schedule_auto_approval(emu, project, doc)


def schedule_auto_approval(emu: Emulator, project: JSON | None, doc: JSON) -> None:
    if project is None or doc["approvalStatus"] != "pending" or doc["status"] != "completed":
        return
    after = parse_duration(project.get("autoApproveAfter"))
    if after is not None:
        emu.due_at(float(doc["_completedTs"]) + after, "autoapprove", doc["id"])


def auto_approve(emu: Emulator, ident: str, now: float) -> None:
    doc = emu.store.get("container", ident)
    project = emu.store.get("project", doc["projectId"]) if doc else None
    if doc is None or project is None or doc["approvalStatus"] != "pending":
        return
    if doc["status"] != "completed":
        return
    after = parse_duration(project.get("autoApproveAfter"))
    if after is None or now < float(doc.get("_completedTs") or now) + after:
        return
    approve(emu, doc, "auto_approve", None, now)


def approve(emu: Emulator, doc: JSON, by: str, note: str | None, now: float) -> JSON:
    status = doc["approvalStatus"]
    if status == "rejected":
        raise conflict("rejected content cannot be approved", approvalStatus=status)
    promotion = None
    if status == "pending":
        if doc["status"] != "completed":
            raise conflict(
                "only completed content can be approved",
                status=doc["status"],
                approvalStatus=status,
            )
        doc.update(approvalStatus="approved", approvedAt=iso(now), approvedBy=by, approvalNote=note)
        doc["updatedAt"] = iso(now)
        if doc["intents"]:
            promotion = promote(emu, doc, now)
        emu.store.put("container", doc)
    out: JSON = {
        "id": pid("cnt", doc["id"]),
        "approvalStatus": doc["approvalStatus"],
        "approvedAt": doc["approvedAt"],
        "approvedBy": doc["approvedBy"],
    }
    if promotion is not None:
        out["pendingSchedulePromotion"] = promotion
    return out


def promote(emu: Emulator, doc: JSON, now: float) -> JSON:
    """Turn the schedule intents stored while blocked into real queued posts, all or none."""
    intents, doc["intents"] = doc["intents"], []
    for intent in intents:
        account = emu.store.get("social_account", intent["socialAccountId"])
        if account is None or account["status"] != "connected":
            return {
                "status": "failed",
                "scheduledPostIds": [],
                "error": {
                    "code": "CREDENTIAL_INVALID",
                    "message": "a target social account is no longer connected",
                    "socialAccountId": pid("sa", intent["socialAccountId"]),
                },
            }
    ids = []
    for intent in intents:
        existing = emu.store.get("post", intent["scheduledPostId"])
        post = existing or create_post(emu, doc, intent, now)
        ids.append(pid("sp", post["id"]))
    return {"status": "ok", "scheduledPostIds": ids}


def intent_view(intent: JSON) -> JSON:
    return {
        "scheduledPostId": pid("sp", intent["scheduledPostId"]),
        "socialAccountId": pid("sa", intent["socialAccountId"]),
        "mode": intent["mode"],
        "scheduledFor": iso_instant(intent["_scheduledTs"]),
        "captionOverride": intent.get("captionOverride"),
        "firstCommentOverride": intent.get("firstCommentOverride"),
        "createdAt": intent["createdAt"],
    }


def _caption(doc: JSON) -> str | None:
    variants = doc["captionVariants"]
    return str(variants[0]["text"]) if variants else None


def container_view(emu: Emulator, doc: JSON, now: float) -> JSON:
    view = public(doc)
    for key in ("request", "gated", "createJobId", "intents", "generation"):
        view.pop(key)
    influencer = doc["brief"].get("influencerId")
    view.update(
        id=pid("cnt", doc["id"]),
        status=status_of(emu, doc, now),
        jobId=pid("job", doc["jobId"]),
        hook=doc["brief"].get("hook"),
        influencerId=influencer,
        caption=_caption(doc),
        firstComment=None,
        creativeType="generated",
        assets=[{k: v for k, v in a.items() if k != "id"} for a in doc["mediaAssets"]],
        variantCount=doc["request"]["variantCount"],
        requestedFormat=doc["request"]["format"],
        pendingScheduleIntents=[intent_view(i) for i in doc["intents"]],
    )
    return view


def container_item(emu: Emulator, doc: JSON, now: float) -> JSON:
    primary = doc["mediaAssets"][0] if doc["mediaAssets"] else None
    return {
        "id": pid("cnt", doc["id"]),
        "projectId": doc["projectId"],
        "status": status_of(emu, doc, now),
        "format": doc["format"],
        "caption": _caption(doc),
        "approvalStatus": doc["approvalStatus"],
        "brief": doc["brief"],
        "hook": doc["brief"].get("hook"),
        "variantIndex": doc["variantIndex"],
        "jobId": pid("job", doc["jobId"]),
        "createdAt": doc["createdAt"],
        "completedAt": doc["completedAt"],
        "primaryAsset": {k: v for k, v in primary.items() if k != "id"} if primary else None,
        "pendingScheduleIntents": [intent_view(i) for i in doc["intents"]],
    }
