"""Guide step 3: ingest the repo (a job), recorded in the reserved key before it is waited on.

A new ingest gets the next attempt number, which goes into its Idempotency-Key: a rerun after a
crash computes the same number (the record was not written yet) and so replays the same job,
while a deliberate retry after a failure, or a second ingest of a config seen before, starts a
fresh one instead of replaying an old answer.
"""

from __future__ import annotations

from typing import Any, cast

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Keep, Reserved
from layers_reconcile.apply.steps.base import StepResult
from layers_reconcile.errors import ConflictError, JobError
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import IngestTarget
from layers_reconcile.records import IngestRecord, Job

DEFAULT_EXPECTED = 330.0


def desired_record(ctx: CustomerContext) -> IngestRecord:
    github = ctx.spec.github
    assert github is not None
    platforms = None if github.platforms is None else [str(p) for p in github.platforms]
    return {"repo": github.repo, "branch": github.branch, "platforms": platforms}


def request_body(ctx: CustomerContext) -> dict[str, Any]:
    github = ctx.spec.github
    assert github is not None
    body: dict[str, Any] = {"repoFullName": github.repo}
    if github.branch:
        body["branch"] = github.branch
    if github.platforms:
        body["sdkConfig"] = {"includePlatforms": list(github.platforms)}
    return body


async def _finish(ctx: CustomerContext, step: Step, job_id: str, record: IngestRecord) -> Job:
    expected = step.job.expected_seconds if step.job else DEFAULT_EXPECTED
    try:
        job = await ctx.wait_for_job(step.address, job_id, expected_seconds=expected)
    except JobError as exc:
        code = exc.code

        def failed(reserved: Reserved) -> None:
            reserved["ingest"] = {**record, "jobId": job_id, "status": "failed", "error": code}

        await ctx.update_reserved(failed, Keep.RUN)  # ingestState shows it after a crash
        raise

    def completed(reserved: Reserved) -> None:
        reserved["ingest"] = {**record, "jobId": job_id, "status": "completed"}

    await ctx.update_reserved(completed, Keep.RUN)  # ingestState shows it after a crash
    return job


async def run(ctx: CustomerContext, step: Step, target: IngestTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    if ctx.spec.github is None:
        raise StepError("ingest needs a github section")
    previous = (await ctx.reserved()).get("ingest") or {}
    running = target.jobId
    same_config = all(previous.get(k) == v for k, v in desired_record(ctx).items())
    if not running and previous.get("status") == "running" and same_config:
        running = previous.get("jobId")  # recorded since this plan was made (a rival run)
    if running:
        # A job started by an earlier (perhaps killed) run: wait on it, never start another.
        # The record's own keys, carried over as they were (None where it had none).
        record = cast(
            IngestRecord, {k: previous.get(k) for k in ("repo", "branch", "platforms", "attempt")}
        )
        if previous.get("jobId") != running:
            record = {**desired_record(ctx), "attempt": previous.get("attempt", 0)}
        job = await _finish(ctx, step, str(running), record)
        return StepResult(detail=_summary(job, resumed=True))

    attempt = int(previous.get("attempt") or 0) + 1
    body = request_body(ctx)
    key = ctx.idempotency_key("ingest", {"body": body, "attempt": attempt})
    try:
        accepted = await ctx.api.ingest_github(ctx.require_project(), body, key)
    except ConflictError as exc:
        rival = exc.running_job_id
        if not rival:
            raise
        # Another run (or someone by hand) is ingesting right now: wait for it; the next
        # observation tells whether its result is what the file asks for.
        expected = step.job.expected_seconds if step.job else DEFAULT_EXPECTED
        await ctx.wait_for_job(step.address, str(rival), expected_seconds=expected)
        return StepResult(detail=f"waited on the ingest already running ({rival})")
    job_id = accepted.job_id
    record = {**desired_record(ctx), "attempt": attempt}

    def started(reserved: Reserved) -> None:
        reserved["ingest"] = {**record, "jobId": job_id, "status": "running"}

    await ctx.update_reserved(started)
    job = await _finish(ctx, step, job_id, record)
    return StepResult(detail=_summary(job, resumed=False))


def _summary(job: Job, *, resumed: bool) -> str:
    pr = job.result.pr_url if job.result else None
    head = "ingested (resumed job)" if resumed else "ingested"
    return f"{head}; pull request {pr}" if pr else head
