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
from layers_reconcile.plan.influencers import file_influencer, file_influencer_label
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import InfluencerTarget
from layers_reconcile.records import Influencer
from layers_reconcile.revb import influencer_hints
from layers_reconcile.statuses import InfluencerStatus

EXPECTED_SECONDS = 60.0


def _label(ctx: CustomerContext) -> str:
    want = ctx.spec.influencer
    return "" if want is None else file_influencer_label(want)


async def _find(ctx: CustomerContext, target: InfluencerTarget, *created: str) -> Influencer | None:
    """The file's influencer (`plan.influencers`, the plan's rule), or the one the step names;
    `created`: the id of one this run just made."""
    influencers = await ctx.api.list_influencers(ctx.require_project())
    reserved = await ctx.reserved()
    job = reserved.get("influencerJob") or {}
    recorded = (*created, reserved.get("influencerId"), job.get("influencerId"))
    want = ctx.spec.influencer
    found = (
        None
        if want is None
        else file_influencer(influencers, want, revision=ctx.api.revision, recorded=recorded)
    )
    if found is not None:
        return found
    named = [v for v in (target.influencerId, target.name) if v]
    return next(
        (
            found
            for value in named
            if (found := file_influencer(influencers, value, revision=ctx.api.revision))
        ),
        None,
    )


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


async def select(ctx: CustomerContext, step: Step, target: InfluencerTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    found = await _find(ctx, target)
    if found is None:
        want = ctx.spec.influencer
        if isinstance(want, InfluencerSpec) and want.id is not None:
            raise StepError(
                f"{where(ctx, 'influencer', 'id')}: no influencer with id {want.id!r} in the project",
                recovery="set `influencer.id:` to an influencer of this project (one of another "
                "project is not found), or remove `id:` to have one created from the attributes",
            )
        raise StepError(
            f"{where(ctx, 'influencer')}: no influencer named or with id {_label(ctx)!r} in the "
            "project",
            recovery="name an influencer the project has, or give attributes to create one",
        )
    await _until_ready(ctx, step, found)
    await _pin(ctx, found.id)
    return StepResult(detail=f"pinned {found.name!r} ({found.id})")


async def create(ctx: CustomerContext, step: Step, target: InfluencerTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    spec = ctx.spec.influencer
    if not isinstance(spec, InfluencerSpec):
        raise StepError("creating an influencer needs its attributes in the file")
    existing = await _find(ctx, target)
    if existing is not None:  # created by an earlier, interrupted run
        await _until_ready(ctx, step, existing)
        await _pin(ctx, existing.id)
        return StepResult(detail=f"pinned {existing.name!r} ({existing.id})")
    if ctx.api.revision == "b":  # Layers names it: the attributes are hints
        body = influencer_hints(spec.model_dump(exclude_none=True))
    else:
        body = spec.model_dump(exclude_none=True, exclude={"id"})
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
    found = await _find(ctx, target, influencer_id)
    if found is None:
        raise StepError(f"the influencer {_label(ctx)!r} did not appear after its job")
    influencer_id = found.id
    await _until_ready(ctx, step, found)
    await _pin(ctx, influencer_id)
    return StepResult(detail=f"created {(found.name or _label(ctx))!r} ({influencer_id})")
