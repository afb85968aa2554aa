"""The lifecycle every async operation shares: running → completed | failed | canceled.

A job's stage and progress are computed from its start time, its deterministic duration and the
clock, so they are monotonic and survive a restart. What a finished job does to the world lives
in `effects.py`.
"""

from __future__ import annotations

from layers_reconcile.emulator.common import JSON, iso, new_uuid
from layers_reconcile.emulator.resources import job_end, job_progress, stage_at
from layers_reconcile.emulator.state import Emulator

# documented duration ranges in seconds, before --speed
DURATIONS = {
    "project_ingest_github": (180.0, 480.0),
    "content_generate": (90.0, 180.0),
    "influencer_create": (50.0, 70.0),
}
UNCANCELABLE_STAGES = ("opening_pr",)


def start_job(
    emu: Emulator,
    kind: str,
    project_id: str,
    now: float,
    *,
    links: JSON,
    payload: JSON,
    fail_at: float | None = None,
    failure: JSON | None = None,
) -> JSON:
    ident = new_uuid()
    low, high = DURATIONS[kind]
    doc: JSON = {
        "id": ident,
        "kind": kind,
        "projectId": project_id,
        "status": "running",
        "startedAt": iso(now),
        "finishedAt": None,
        "links": links,
        "payload": payload,
        "result": None,
        "error": None,
        "_start": now,
        "_duration": emu.job_duration(low, high, kind, project_id),
        "_failAt": fail_at,
        "_failure": failure,
        "_stage": None,
        "_progress": None,
    }
    emu.store.put("job", doc)
    emu.due_at(job_end(doc), "job", ident)
    return doc


def is_due(doc: JSON, now: float) -> bool:
    return doc["status"] == "running" and now >= job_end(doc)


def mark_completed(doc: JSON, result: JSON) -> None:
    end = job_end(doc)
    doc.update(status="completed", finishedAt=iso(end), result=result)


def mark_failed(doc: JSON) -> None:
    end = job_end(doc)
    fraction = doc["_failAt"] or 1.0
    doc.update(
        status="failed",
        finishedAt=iso(end),
        error=doc["_failure"],
        _stage=stage_at(doc["kind"], fraction - 1e-9),
        _progress=round(fraction, 2),
    )


def mark_canceled(doc: JSON, now: float) -> None:
    stage, progress = job_progress(doc, now)
    doc.update(status="canceled", finishedAt=iso(now), _stage=stage, _progress=progress)


def current_stage(doc: JSON, now: float) -> str:
    return job_progress(doc, now)[0]
