"""What a finished, failed or canceled job does to the world, per job kind."""

from __future__ import annotations

import secrets

from layers_reconcile.emulator import containers, fakes
from layers_reconcile.emulator.common import JSON, derived_uuid, iso, pid
from layers_reconcile.emulator.http import Reply, conflict
from layers_reconcile.emulator.jobs import (
    UNCANCELABLE_STAGES,
    current_stage,
    is_due,
    mark_canceled,
    mark_completed,
    mark_failed,
)
from layers_reconcile.emulator.resources import job_end, mark_influencer_ready, new_influencer
from layers_reconcile.emulator.state import Emulator


def settle_job(emu: Emulator, job: JSON, now: float) -> None:
    if not is_due(job, now):
        return
    at = job_end(job)
    if job["_failure"] is not None:
        mark_failed(job)
        if job["kind"] == "project_ingest_github":
            _ingest_state(emu, job, "failed", at)
    elif job["kind"] == "project_ingest_github":
        mark_completed(job, _finish_ingest(emu, job, at))
    elif job["kind"] == "content_generate":
        for ident in job["payload"]["containerIds"]:
            doc = emu.store.get("container", ident)
            if doc is not None and doc["jobId"] == job["id"] and doc["status"] == "generating":
                containers.complete(emu, doc, job, at)
        mark_completed(job, {"containerIds": job["links"]["containerIds"]})
    elif job["kind"] == "influencer_create":
        doc = emu.store.get("influencer", job["payload"]["influencerId"])
        if doc is not None and doc["status"] == "pending":
            mark_influencer_ready(doc, at)
            emu.store.put("influencer", doc)
        mark_completed(job, {"influencerId": pid("inf", job["payload"]["influencerId"])})
    emu.store.put("job", job)


def cancel_job(emu: Emulator, job: JSON, now: float) -> Reply:
    job_id = pid("job", job["id"])
    if job["status"] != "running":
        return Reply(200, {"jobId": job_id, "accepted": False, "reason": "ALREADY_COMPLETED"})
    stage = current_stage(job, now)
    if stage in UNCANCELABLE_STAGES:
        raise conflict(
            f"the job cannot be canceled while in stage {stage}",
            subcode="JOB_CANCEL_UNAVAILABLE",
            jobId=job_id,
            stage=stage,
        )
    mark_canceled(job, now)
    emu.store.put("job", job)
    if job["kind"] == "project_ingest_github":
        _ingest_state(emu, job, "canceled", now)
    elif job["kind"] == "content_generate":
        for ident in job["payload"]["containerIds"]:
            doc = emu.store.get("container", ident)
            if doc is not None and doc["jobId"] == job["id"] and doc["status"] == "generating":
                doc.update(status="completed" if doc["generation"] else "canceled")
                doc["updatedAt"] = iso(now)
                emu.store.put("container", doc)
    elif job["kind"] == "influencer_create":
        doc = emu.store.get("influencer", job["payload"]["influencerId"])
        if doc is not None and doc["status"] == "pending":
            doc.update(status="failed", errorMessage="creation canceled", updatedAt=iso(now))
            emu.store.put("influencer", doc)
    return Reply(202, {"jobId": job_id, "accepted": True})


def _ingest_state(emu: Emulator, job: JSON, status: str, at: float) -> None:
    project = emu.store.get("project", job["projectId"])
    if project is None:
        return
    current = project["ingestState"].get("github") or {}
    if current.get("jobId") not in (None, pid("job", job["id"])):
        return
    project["ingestState"]["github"] = {
        "status": status,
        "jobId": pid("job", job["id"]),
        "completedAt": iso(at) if status == "completed" else None,
        "repoFullName": job["payload"]["repoFullName"],
        "branch": job["payload"]["branch"],
        "error": job["error"] if status == "failed" else None,
    }
    project["updatedAt"] = iso(at)
    emu.store.put("project", project)


def _finish_ingest(emu: Emulator, job: JSON, at: float) -> JSON:
    payload = job["payload"]
    repo = payload["repoFullName"]
    project = emu.store.get("project", job["projectId"])
    if project is None:
        return {}
    brand = fakes.brand_context(repo, project["primaryLanguage"], emu.settings.seed)
    project["brandContext"] = brand
    app = _provision_sdk_app(emu, project, repo, payload["platforms"], at)
    pr_number = fakes.pr_number(repo, payload["ordinal"]) if payload["openPR"] else None
    pr_url = f"https://github.com/{repo}/pull/{pr_number}" if pr_number else None
    emu.store.put("project", project)
    _ingest_state(emu, job, "completed", at)
    project["ingestState"]["github"]["prUrl"] = pr_url
    alive = [i for i in emu.store.children("influencer", project["id"]) if i["status"] != "deleted"]
    if not alive:
        persona = fakes.default_influencer(repo, brand, emu.settings.seed)
        ident = derived_uuid(project["id"], "influencer/default")
        doc = new_influencer(ident, project, persona, at, job_id=None, ready=True)
        emu.store.put("influencer", doc)
    return {
        "prUrl": pr_url,
        "prNumber": pr_number,
        "sdkAppId": app["id"],
        "brandContext": brand,
        "repoFullName": repo,
        "branch": payload["branch"],
        "platforms": payload["platforms"],
    }


def _provision_sdk_app(
    emu: Emulator, project: JSON, repo: str, platforms: list[str], at: float
) -> JSON:
    for existing in emu.store.children("sdk_app", project["id"]):
        if existing["repoFullName"] == repo:
            existing.update(platforms=platforms, updatedAt=iso(at))
            return emu.store.put("sdk_app", existing)
    owner, name = repo.split("/", 1)
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    platform = platforms[0] if platforms else "web"
    app: JSON = {
        "id": "app_" + secrets.token_hex(12),
        "projectId": project["id"],
        "name": fakes.app_name(repo),
        "platform": platform,
        "platforms": platforms,
        "bundleId": f"com.{owner.replace('-', '').lower()}.{slug}" if "ios" in platforms else None,
        "androidPackage": None,
        "webDomain": f"{slug}.example.com" if "web" in platforms else None,
        "repoFullName": repo,
        "createdAt": iso(at),
        "updatedAt": iso(at),
        "lastEventAt": None,
    }
    return emu.store.put("sdk_app", app)
