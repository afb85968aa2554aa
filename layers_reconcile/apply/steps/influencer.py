"""Guide step 5: the influencer — pin one by name or id, or create one and wait until `ready`.

There is no pin endpoint: the pinned id lives in the reserved key and goes into every brief.
"""

from __future__ import annotations

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.poll import Backoff, poll
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Keep, Reserved
from layers_reconcile.apply.steps.base import StepResult, where
from layers_reconcile.config.models import InfluencerSpec
from layers_reconcile.plan.model import Step
from layers_reconcile.records import Influencer
from layers_reconcile.statuses import InfluencerStatus

EXPECTED_SECONDS = 60.0


def _wanted(ctx: CustomerContext) -> tuple[str | None, str | None]:
    """(id, name) the file asks for."""
    value = ctx.spec.influencer
    if isinstance(value, InfluencerSpec):
        return None, value.name
    if isinstance(value, str):
        return value, value
    return None, None


async def _find(ctx: CustomerContext, step: Step) -> Influencer | None:
    want_id = step.target.influencerId
    want_name = step.target.name
    file_id, file_name = _wanted(ctx)
    ids = {str(v) for v in (want_id, file_id) if v}
    names = [str(v) for v in (want_name, file_name) if v]
    influencers = await ctx.api.list_influencers(ctx.require_project())
    for inf in influencers:
        if inf.id in ids:
            return inf
    for name in names:
        for inf in influencers:
            if inf.name == name:
                return inf
    for name in names:
        for inf in influencers:
            if (inf.name or "").casefold() == name.casefold():
                return inf
    return None


async def _until_ready(ctx: CustomerContext, step: Step, influencer: Influencer) -> None:
    influencer_id = influencer.id
    if influencer.status == "ready":
        return
    job = (await ctx.reserved()).get("influencerJob") or {}
    if job.get("jobId") and job.get("influencerId") in (influencer_id, None, ""):
        await ctx.wait_for_job(step.address, str(job["jobId"]), expected_seconds=EXPECTED_SECONDS)
    options = ctx.options
    status: InfluencerStatus | None = influencer.status

    async def ready() -> bool | None:
        nonlocal status
        current = await ctx.api.get_influencer(influencer_id)
        status = current.status
        if status == "failed":
            raise StepError(
                f"{where(ctx, 'influencer')}: influencer {current.name!r} failed: "
                f"{current.error_message}",
                recovery="name another influencer, or change its attributes",
            )
        return True if status == "ready" else None

    done = await poll(
        ready,
        clock=options.clock,
        sleep=options.sleep,
        until=options.clock() + max(600.0, options.wait_for_people),
        backoff=Backoff(first=1.0, cap=10.0),
        waiting=ctx.slot.waiting,
    )
    if done is None:
        raise StepError(f"influencer {influencer_id} is still {status}")


async def _pin(ctx: CustomerContext, influencer_id: str) -> None:
    def pin(reserved: Reserved) -> None:
        reserved["influencerId"] = influencer_id
        reserved.pop("influencerJob", None)

    # A rerun after a crash pins it again by name (no other write needed): by the run's end.
    await ctx.update_reserved(pin, Keep.RUN)


async def select(ctx: CustomerContext, step: Step) -> StepResult:
    ctx.project_id = ctx.project_id or step.target.projectId
    found = await _find(ctx, step)
    if found is None:
        _, name = _wanted(ctx)
        raise StepError(
            f"{where(ctx, 'influencer')}: no influencer named or with id {name!r} in the project",
            recovery="name an influencer the project has, or give attributes to create one",
        )
    await _until_ready(ctx, step, found)
    await _pin(ctx, found.id)
    return StepResult(detail=f"pinned {found.name!r} ({found.id})")


async def create(ctx: CustomerContext, step: Step) -> StepResult:
    ctx.project_id = ctx.project_id or step.target.projectId
    spec = ctx.spec.influencer
    if not isinstance(spec, InfluencerSpec):
        raise StepError("creating an influencer needs its attributes in the file")
    existing = await _find(ctx, step)
    if existing is not None:  # created by an earlier, interrupted run
        await _until_ready(ctx, step, existing)
        await _pin(ctx, existing.id)
        return StepResult(detail=f"pinned {existing.name!r} ({existing.id})")
    body = spec.model_dump(exclude_none=True)
    accepted = await ctx.api.create_influencer(
        ctx.require_project(), body, ctx.idempotency_key("influencer", body)
    )
    job_id = accepted.job_id
    influencer_id = accepted.influencer_id or ""

    def record(reserved: Reserved) -> None:
        reserved["influencerJob"] = {"jobId": job_id, "influencerId": influencer_id}

    if job_id:
        # The influencer itself shows it is training (found by name after a crash, and its
        # creation is idempotent by key): the job id rides along with the next write.
        await ctx.update_reserved(record, Keep.LAZY)
        expected = step.job.expected_seconds if step.job else EXPECTED_SECONDS
        await ctx.wait_for_job(step.address, str(job_id), expected_seconds=expected)
    found = await _find(ctx, step)
    if found is None:
        raise StepError(f"the influencer {spec.name!r} did not appear after its job")
    influencer_id = found.id
    await _until_ready(ctx, step, found)
    await _pin(ctx, influencer_id)
    return StepResult(detail=f"created {spec.name!r} ({influencer_id})")
