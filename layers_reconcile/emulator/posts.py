"""Scheduled posts: creation, the publish dispatcher's transitions, cancelation."""

from __future__ import annotations

from layers_reconcile.emulator import fakes
from layers_reconcile.emulator.common import JSON, iso, iso_instant
from layers_reconcile.emulator.state import Emulator

MODES = {
    "tiktok": ("direct_publish", "draft_to_device"),
    "instagram": ("reels", "feed", "draft_to_device"),
}
ALL_MODES = ("direct_publish", "draft_to_device", "reels", "feed")
TERMINAL = ("published", "failed", "canceled", "draft_in_inbox", "draft")
PUBLISH_SECONDS = 10.0


def create_post(emu: Emulator, container: JSON, intent: JSON, now: float) -> JSON:
    account = emu.store.get("social_account", intent["socialAccountId"])
    if account is None:
        raise LookupError(intent["socialAccountId"])
    when = float(intent["_scheduledTs"])
    doc: JSON = {
        "id": intent["scheduledPostId"],
        "projectId": container["projectId"],
        "containerId": container["id"],
        "socialAccountId": account["id"],
        "platform": account["platform"],
        "mode": intent["mode"],
        "status": "queued",
        "scheduledFor": iso_instant(when),
        "attemptedAt": None,
        "publishedAt": None,
        "canceledAt": None,
        "externalId": None,
        "externalUrl": None,
        "lastError": None,
        "captionOverride": intent.get("captionOverride"),
        "firstCommentOverride": intent.get("firstCommentOverride"),
        "createdAt": iso(now),
        "updatedAt": iso(now),
        "_scheduledTs": when,
        "_publishTs": None,
    }
    emu.store.put("post", doc)
    emu.due_at(max(when, now), "post", doc["id"])
    return doc


def reschedule(emu: Emulator, doc: JSON, when: float, now: float) -> None:
    doc.update(scheduledFor=iso_instant(when), _scheduledTs=when, updatedAt=iso(now))
    emu.store.put("post", doc)
    emu.due_at(max(when, now), "post", doc["id"])


def _credential_error(account: JSON | None) -> JSON:
    status = account["status"] if account else "missing"
    return {
        "code": "CREDENTIAL_INVALID",
        "message": f"The social account is {status}; reconnect it and schedule again.",
        "platformCode": "access_token_invalid",
    }


def settle_post(emu: Emulator, doc: JSON, now: float) -> None:
    """Move a due post one step: queued → publishing → published (or failed)."""
    account = emu.store.get("social_account", doc["socialAccountId"])
    connected = account is not None and account["status"] == "connected"
    if doc["status"] == "queued" and now >= doc["_scheduledTs"]:
        if not connected:
            doc.update(status="failed", attemptedAt=iso(now), lastError=_credential_error(account))
        else:
            done = now + PUBLISH_SECONDS / emu.settings.speed
            doc.update(status="publishing", attemptedAt=iso(now), _publishTs=done)
            emu.due_at(done, "post", doc["id"])
    elif doc["status"] == "publishing" and now >= doc["_publishTs"]:
        if not connected or account is None:
            doc.update(status="failed", lastError=_credential_error(account))
        elif doc["mode"] == "draft_to_device":
            doc.update(status="draft_in_inbox", publishedAt=None)
        elif doc["mode"] == "draft":
            doc.update(status="draft", publishedAt=None)
        else:
            external_id, url = fakes.published_post(
                doc["platform"], account["handle"], doc["id"], emu.settings.seed
            )
            doc.update(
                status="published",
                externalId=external_id,
                externalUrl=url,
                publishedAt=iso(doc["_publishTs"]),
            )
    else:
        return
    doc["updatedAt"] = iso(now)
    emu.store.put("post", doc)


def cancel_post(emu: Emulator, doc: JSON, now: float, reason: str | None) -> None:
    doc.update(status="canceled", canceledAt=iso(now), updatedAt=iso(now), cancelReason=reason)
    emu.store.put("post", doc)


def cancel_queued(
    emu: Emulator,
    now: float,
    *,
    project_id: str,
    account_id: str | None = None,
    container_ids: set[str] | None = None,
) -> int:
    canceled = 0
    for doc in emu.store.children("post", project_id):
        if doc["status"] != "queued":
            continue
        if account_id is not None and doc["socialAccountId"] != account_id:
            continue
        if container_ids is not None and doc["containerId"] not in container_ids:
            continue
        cancel_post(emu, doc, now, None)
        canceled += 1
    return canceled
