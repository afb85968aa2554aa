"""Guide step 6: content — generate (partner-supplied container id), regenerate, wait, cancel.

On Rev B (`_run_b`) each step is one variant: one call of its format's route (the body from
`config.generation`, like Rev A's), no partner-chosen id, so the call's Idempotency-Key (per
content key, variant and generation) and the record written the moment it is accepted are what
make it one container; Rev B has no regenerate.

The reserved key maps each content key to its containers, the hash of the brief they realise
and the job in flight, written right after the job is accepted: a rerun after a crash waits on
that job instead of starting another. Generation N of a key uses the deterministic id
`content_id_for(project, key)` (N = 1) or of `key#N`, so even a lost record cannot yield a
second container; a regenerate's Idempotency-Key carries its round number for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.poll import Backoff, poll
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Keep, Reserved, content_entry
from layers_reconcile.apply.steps.base import (
    StepResult,
    cancel_post,
    connected_account,
    content_key_of,
)
from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.generation import GenerationRequest, Speaker, generation_request
from layers_reconcile.config.ignore import ignored_by
from layers_reconcile.errors import ConflictError, JobError
from layers_reconcile.plan.address import Address
from layers_reconcile.plan.ids import brief_hash, content_id_for
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import ContentTarget
from layers_reconcile.records import ContentRecord
from layers_reconcile.statuses import CONTAINER_RUNNING

DEFAULT_EXPECTED = 135.0


def _key(ctx: CustomerContext, step: Step) -> str:
    key = content_key_of(ctx.customer, step.address)
    if key is None:
        raise StepError(f"{step.address} names no content key")
    return key


def _spec(ctx: CustomerContext, key: str) -> ContentSpec:
    content = (ctx.spec.content or {}).get(key)
    if content is None:
        raise StepError(f"content {key!r} is not in the file")
    return content


def hash_of(content: ContentSpec) -> str:
    """The hash the diff compares: the brief exactly as written."""
    return brief_hash(content.brief.model_dump(exclude_unset=True))


def request_brief(content: ContentSpec) -> dict[str, Any]:
    brief: dict[str, Any] = content.brief.model_dump(exclude_unset=True, exclude_none=True)
    return brief


async def _brief_keeping_ignored(
    ctx: CustomerContext, key: str, content: ContentSpec, container_id: str
) -> tuple[dict[str, Any], str]:
    """The brief a regenerate sends, and its hash to record: the file's, except that each field
    `ignore:` names keeps the value the container has (people own it). Recording the hash of
    what was sent keeps the ignored difference showing in the next plan."""
    written: dict[str, Any] = content.brief.model_dump(exclude_unset=True)
    owned = [
        name
        for name in written
        if ignored_by(ctx.spec.ignore or (), f"content.{key}.brief.{name}") is not None
    ]
    if not owned:
        return request_brief(content), hash_of(content)
    current = (await ctx.api.get_content(container_id)).brief or {}
    for name in owned:
        if name in current:
            written[name] = current[name]
        else:
            written.pop(name)
    return {k: v for k, v in written.items() if v is not None}, brief_hash(written)


def generation_id(project_id: str, key: str, generation: int) -> str:
    return content_id_for(project_id, key if generation <= 1 else f"{key}#{generation}")


def _expected(step: Step) -> float:
    return step.job.expected_seconds if step.job else DEFAULT_EXPECTED


def _clear_job(entry: ContentRecord) -> None:
    entry.pop("jobId", None)
    entry.pop("jobIds", None)


async def _settle(ctx: CustomerContext, step: Step, key: str, job_ids: list[str]) -> None:
    """Wait on the recorded jobs (side by side), then record how they ended."""
    try:
        async with asyncio.TaskGroup() as group:
            for job_id in job_ids:
                group.create_task(
                    ctx.wait_for_job(step.address, job_id, expected_seconds=_expected(step))
                )
    except* JobError as group:

        def failed(reserved: Reserved) -> None:
            entry = content_entry(reserved, key)
            _clear_job(entry)
            entry["status"] = "failed"

        await ctx.update_reserved(failed, Keep.RUN)
        raise group.exceptions[0] from None

    def done(reserved: Reserved) -> None:
        entry = content_entry(reserved, key)
        _clear_job(entry)
        entry["status"] = "completed"

    # The containers' own status says the generation is over; the plan reads that, not this.
    await ctx.update_reserved(done, Keep.LAZY)


async def run(ctx: CustomerContext, step: Step, target: ContentTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    key = _key(ctx, step)
    content = _spec(ctx, key)
    if ctx.api.revision == "b":
        return await _run_b(ctx, step, target, key, content)
    entry = ((await ctx.reserved()).get("content") or {}).get(key) or {}
    recorded_jobs = [str(j) for j in entry.get("jobIds") or [entry.get("jobId") or ""] if j]
    regenerate = step.job is not None and step.job.kind == "content_regenerate"
    renew = regenerate or bool(target.previousContainerIds)
    if recorded_jobs and renew:
        # A job recorded by an earlier run whose end was not written (the containers show it):
        # whatever it did, the plan asks for a new generation from what the API shows now.
        with contextlib.suppress(JobError):
            await _settle(ctx, step, key, recorded_jobs)
        entry = ((await ctx.reserved()).get("content") or {}).get(key) or {}
    elif recorded_jobs:
        # A job an earlier (perhaps killed) run started and recorded: wait on it, start nothing.
        await _settle(ctx, step, key, recorded_jobs)
        return StepResult(detail=f"content {key!r}: waited on the running job")
    if target.jobId and not renew:
        await _settle(ctx, step, key, [target.jobId])
        return StepResult(detail=f"content {key!r}: waited on the running job")
    if regenerate:
        return await _regenerate(ctx, step, target, key, content, entry)
    if target.containerIds and not target.previousContainerIds:
        return await _wait_containers(ctx, step, key, target.containerIds)
    return await _generate(ctx, step, target, key, content, entry)


async def _generate(
    ctx: CustomerContext,
    step: Step,
    target: ContentTarget,
    key: str,
    content: ContentSpec,
    entry: ContentRecord,
) -> StepResult:
    project_id = ctx.require_project()
    pinned = (await ctx.reserved()).get("influencerId")
    speaker = Speaker(
        influencer=ctx.spec.influencer is not None,
        influencer_id=pinned if isinstance(pinned, str) and pinned else None,
    )
    request = generation_request(key, content, "a", speaker)
    if request.problems:
        raise StepError(
            f"content {key!r}: " + "; ".join(n.message for n in request.problems),
            recovery="fix the entry in the customer file, then apply again",
        )
    generation = int(entry.get("generation") or 1)
    if target.previousContainerIds and entry.get("containerIds"):
        generation += 1  # format/variants changed or the containers are gone: new containers
    body: dict[str, Any] = {"id": generation_id(project_id, key, generation), **request.body}
    try:
        accepted = await ctx.api.generate_content(
            project_id, body, ctx.idempotency_key(f"content/{key}", body)
        )
    except ConflictError as exc:
        raise StepError(
            f"content {key!r}: the API refused generation {generation}: {exc.message}",
            recovery="another run generated this content with a different brief; apply again",
        ) from exc
    job_id = accepted.job_id
    raw_ids = accepted.container_ids or (accepted.container_id,)
    container_ids = [c for c in raw_ids if c]

    def started(reserved: Reserved) -> None:
        entry = content_entry(reserved, key)
        _clear_job(entry)
        entry.update(
            {
                "containerIds": container_ids,
                "jobId": job_id,
                "briefHash": hash_of(content),
                "format": content.format,
                "variants": content.variants,
                "generation": generation,
                "status": "running",
            }
        )

    await ctx.update_reserved(started)
    await _settle(ctx, step, key, [job_id])
    what = accepted.format or content.format
    return StepResult(detail=f"generated {len(container_ids)} {what} container(s)")


def _variant(ctx: CustomerContext, step: Step) -> int:
    """Rev B: the variant a step generates (`content/KEY` is 1, `content/KEY/vN` is N)."""
    variant = Address.parse(ctx.customer, step.address).variant
    if variant is None:
        raise StepError(f"{step.address} names no variant of a content key")
    return variant


def _ordered(variant_ids: dict[str, str]) -> list[str]:
    return [variant_ids[v] for v in sorted(variant_ids, key=int)]


async def _run_b(
    ctx: CustomerContext, step: Step, target: ContentTarget, key: str, content: ContentSpec
) -> StepResult:
    """Rev B: this step is one variant: one call of the format's route, one container."""
    variant = _variant(ctx, step)
    slot = str(variant)
    entry = ((await ctx.reserved()).get("content") or {}).get(key) or {}
    renew = bool(target.previousContainerIds)
    job_id = (entry.get("variantJobs") or {}).get(slot) or (None if renew else target.jobId)
    if job_id and not renew:
        # A call an earlier (perhaps killed) run made and recorded: wait on it, send nothing.
        await _settle_variant(ctx, step, key, slot, job_id)
        return StepResult(detail=f"content {key!r} v{variant}: waited on the running job")
    return await _generate_b(ctx, step, target, key, content, variant)


async def _generate_b(
    ctx: CustomerContext,
    step: Step,
    target: ContentTarget,
    key: str,
    content: ContentSpec,
    variant: int,
) -> StepResult:
    async with ctx.send_locks.setdefault(key, asyncio.Lock()):
        container_id, job_id = await _send_b(ctx, target, key, content, variant)
    await _settle_variant(ctx, step, key, str(variant), job_id)
    return StepResult(detail=f"generated {content.format} v{variant}: {container_id}")


def _made_again(target: ContentTarget, entry: ContentRecord, slot: str) -> tuple[int, int]:
    """(generation, attempt) of a variant's call: a variant made again alone (its generation
    failed) is its next attempt; replacing containers the record still names, a new generation."""
    generation = int(entry.get("generation") or 1)
    attempt = int((entry.get("variantAttempts") or {}).get(slot) or 0)
    replaced = set(target.previousContainerIds or [])
    if replaced and replaced == {(entry.get("variantIds") or {}).get(slot)}:
        attempt += 1
    elif replaced & set(entry.get("containerIds") or []):
        generation += 1
    return generation, attempt


async def _request_b(
    ctx: CustomerContext, target: ContentTarget, key: str, content: ContentSpec
) -> tuple[str, GenerationRequest]:
    """The format's route and the body of one variant's call, speaking through the entry's
    account (its connected account) or the pinned influencer."""
    account = None
    if content.account is not None:
        account = target.socialAccountId or await connected_account(
            ctx, content.account, "for content to speak through"
        )
    pinned = (await ctx.reserved()).get("influencerId")
    speaker = Speaker(
        influencer=ctx.spec.influencer is not None,
        influencer_id=pinned if isinstance(pinned, str) else None,
        social_account_id=account,
    )
    request = generation_request(key, content, "b", speaker)
    if request.problems or request.route is None:
        raise StepError(
            f"content {key!r}: " + "; ".join(n.message for n in request.problems),
            recovery="fix the entry in the customer file, then apply again",
        )
    return request.route, request


async def _send_b(
    ctx: CustomerContext, target: ContentTarget, key: str, content: ContentSpec, variant: int
) -> tuple[str, str]:
    """One variant's call, and its container and job recorded before anything else is sent."""
    project_id = ctx.require_project()
    entry = ((await ctx.reserved()).get("content") or {}).get(key) or {}
    slot = str(variant)
    generation, attempt = _made_again(target, entry, slot)
    route, request = await _request_b(ctx, target, key, content)
    # One key per (content, variant, generation, body): a resend after a lost answer or a
    # crash is answered with the same container, so each variant is made exactly once.
    made_of: dict[str, Any] = {"body": request.body, "generation": generation}
    if attempt:
        made_of["attempt"] = attempt
    idempotency_key = ctx.idempotency_key(f"content/{key}/v{variant}", made_of)
    accepted = await ctx.api.generate_content_b(project_id, route, request.body, idempotency_key)
    made = [c for c in (*accepted.container_ids, accepted.container_id) if c]
    if not made:
        raise StepError(f"content {key!r}: the API accepted the generation but named no container")
    container_id, job_id = made[0], accepted.job_id

    def started(reserved: Reserved) -> None:
        record = content_entry(reserved, key)
        if record.get("generation") != generation or record.get("format") != content.format:
            _forget_generation(record)
        ids = {**(record.get("variantIds") or {}), slot: container_id}
        if attempt:
            record["variantAttempts"] = {**(record.get("variantAttempts") or {}), slot: attempt}
        record.update(
            {
                "containerIds": _ordered(ids),
                "variantIds": ids,
                "variantJobs": {**(record.get("variantJobs") or {}), slot: job_id},
                "briefHash": brief_hash(request.inputs),
                "format": content.format,
                "variants": content.variants,
                "generation": generation,
                "status": "running",
            }
        )

    await ctx.update_reserved(started)
    return container_id, job_id


def _forget_generation(record: ContentRecord) -> None:
    """The containers and jobs of another generation (or format) are not this one's."""
    _clear_job(record)
    record.pop("containerIds", None)
    record.pop("variantIds", None)
    record.pop("variantJobs", None)
    record.pop("variantAttempts", None)


async def _settle_variant(
    ctx: CustomerContext, step: Step, key: str, slot: str, job_id: str
) -> None:
    """Wait on one variant's job, then forget it (the container's status shows its end)."""

    def ended(status: str) -> Callable[[Reserved], None]:
        def mutate(reserved: Reserved) -> None:
            record = content_entry(reserved, key)
            jobs = dict(record.get("variantJobs") or {})
            jobs.pop(slot, None)
            record["variantJobs"] = jobs
            if not jobs:
                record["status"] = status

        return mutate

    try:
        await ctx.wait_for_job(step.address, job_id, expected_seconds=_expected(step))
    except JobError:
        await ctx.update_reserved(ended("failed"), Keep.RUN)
        raise
    await ctx.update_reserved(ended("completed"), Keep.LAZY)


async def _regenerate(
    ctx: CustomerContext,
    step: Step,
    target: ContentTarget,
    key: str,
    content: ContentSpec,
    entry: ContentRecord,
) -> StepResult:
    container_ids = target.containerIds or entry.get("containerIds") or []
    if not container_ids:
        raise StepError(f"content {key!r}: no containers to regenerate")
    brief, sent_hash = await _brief_keeping_ignored(ctx, key, content, container_ids[0])
    body = {"brief": brief}
    round_ = int(entry.get("regenerations") or 0) + 1
    job_ids: list[str] = []
    for container_id in container_ids:
        accepted = await ctx.api.regenerate_content(
            container_id,
            body,
            ctx.idempotency_key(f"content/{key}/{container_id}", {"body": body, "round": round_}),
        )
        job_ids.append(accepted.job_id)

    def started(reserved: Reserved) -> None:
        entry = content_entry(reserved, key)
        entry.update(
            {
                "jobId": job_ids[0],
                "jobIds": job_ids,
                "briefHash": sent_hash,
                "regenerations": round_,
                "status": "running",
            }
        )

    await ctx.update_reserved(started)
    await _settle(ctx, step, key, job_ids)
    return StepResult(detail=f"regenerated {len(container_ids)} container(s)")


async def _wait_containers(
    ctx: CustomerContext, step: Step, key: str, container_ids: list[str]
) -> StepResult:
    """Containers still generating with no job on record: watch the containers themselves."""
    options = ctx.options

    async def finished() -> StepResult | None:
        statuses = [(await ctx.api.get_content(c)).status for c in container_ids]
        if any(s in CONTAINER_RUNNING for s in statuses):
            return None
        return StepResult(
            detail=f"content {key!r}: generation finished ({', '.join(map(str, statuses))})"
        )

    result = await poll(
        finished,
        clock=options.clock,
        sleep=options.sleep,
        until=options.clock() + 10 * _expected(step) / max(options.job_time_scale, 1e-6),
        backoff=Backoff(first=0.5, cap=15.0),
        waiting=ctx.slot.waiting,
    )
    if result is None:
        raise StepError(f"content {key!r} is still generating", recovery="apply again later")
    return result


async def cancel(ctx: CustomerContext, step: Step, target: ContentTarget) -> StepResult:
    """Content removed from the file: cancel its queued posts (the containers stay)."""
    canceled = 0
    for post_id in target.postIds or []:
        if await cancel_post(ctx, post_id):
            canceled += 1
    return StepResult(detail=f"canceled {canceled} queued post(s)")
