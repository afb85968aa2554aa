"""The content stage of the diff on Rev A: one generate job per entry (or a regenerate of its
containers), and what it leaves for the approval and schedule stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.generation import GenerationRequest, generation_request
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import changed_keys, created
from layers_reconcile.plan.ids import bare_id, brief_hash, content_id_for
from layers_reconcile.plan.model import Action, Change, Step
from layers_reconcile.plan.targets import ContentTarget
from layers_reconcile.records import Container, ContentRecord
from layers_reconcile.statuses import CONTAINER_RUNNING


@dataclass
class ContentState:
    """What the content stage leaves for the approval and schedule stages of one key."""

    # new: nothing generated; anew: replaced by a new generation; regen: same containers
    # regenerated; running: a generation is still running; done: converged.
    mode: str
    container_ids: list[str]
    containers: Sequence[Container]
    regenerated: tuple[str, ...] = ()  # regen: the containers the regenerate resets


@dataclass(frozen=True)
class Generated:
    """What the reserved record says a content key's generation made: the record itself (`{}`
    when there is none), the container ids it names, and those of them that still exist."""

    record: ContentRecord
    ids: list[str]
    containers: list[Container]


def generated(record: Any, by_id: Mapping[str | None, Container]) -> Generated:
    """The content key's record read, with the containers it names looked up in `by_id`."""
    read: ContentRecord = cast(ContentRecord, record) if isinstance(record, dict) else {}
    ids = [str(i) for i in read.get("containerIds") or []]
    return Generated(read, ids, [by_id[bare_id(i)] for i in ids if bare_id(i) in by_id])


def generation_facts(ctx: Ctx, made: Generated) -> Any:
    """What a generation step is computed from (its address's fingerprint)."""
    if ctx.project is None:
        return None
    return {
        "record": made.record,
        "containers": [(c.id, c.status, c.format) for c in made.containers],
    }


def failed_ids(containers: Sequence[Container]) -> list[str]:
    """The containers whose last generation failed or was canceled: they are made again."""
    return [c.id for c in containers if c.status in ("failed", "canceled")]


def recorded_changes(
    record: Mapping[str, Any], want: Mapping[str, Any], *names: str
) -> list[Change]:
    """The recorded generation fields among `names` that differ from what the file wants."""
    return [
        Change(field=f, before=record.get(f), after=want[f])
        for f in names
        if record.get(f) != want[f]
    ]


def inputs_changed(
    ctx: Ctx,
    address: str,
    key: str,
    spec: ContentSpec,
    request: GenerationRequest,
    made: Generated,
    shown: Callable[[], list[Change]],
) -> list[Change]:
    """The changes to what the content is generated from (its brief, its Rev B inputs) that
    apply makes, [] when the recorded hash is of what the entry asks now (`request`: the
    entry's generation on the run's revision). `shown()`: the changed fields the recorded
    container shows (asked only when the hash differs: comparing costs); when it shows none,
    the hash is the change."""
    recorded = made.record.get("briefHash")
    # As the revision that wrote the record hashes it (Rev B records name `variantIds`):
    # content made on one revision is not generated again only because the API now speaks the
    # other.
    written_on: ApiRevision = "b" if "variantIds" in made.record else "a"
    want_hash = brief_hash(request.inputs)
    if written_on == request.revision:
        if recorded == want_hash:
            return []
    elif recorded == brief_hash(generation_request(key, spec, written_on).inputs):
        return []
    hashed = Change(field="briefHash", before=recorded, after=want_hash)
    return ctx.keep(address, shown() or [hashed])


def anew_warning(key: str) -> str:
    return (
        f"content {key!r} is generated anew; queued posts of the replaced containers are canceled"
    )


def _desired(spec: ContentSpec, request: GenerationRequest) -> dict[str, Any]:
    """What the entry asks for; on Rev A the request's inputs are the brief as written."""
    return {"format": spec.format, "variants": spec.variants, "brief": request.inputs}


def generation_a(
    ctx: Ctx,
    key: str,
    spec: ContentSpec,
    request: GenerationRequest,
    record: Any,
    by_id: Mapping[str | None, Container],
) -> ContentState:
    """Rev A: one generate job makes every variant of the key; a changed brief or a failed
    generation regenerates the same containers. `request`: its generation on Rev A."""
    address = ctx.addr("content", key)
    made = generated(record, by_id)
    ctx.seen(address, generation_facts(ctx, made))
    want = _desired(spec, request)
    if ctx.project is None or not made.record:
        ctx.add(_first_generation(ctx, address, key, want, by_id))
        return ContentState("new", [], [])
    anew = _generated_anew(ctx, address, key, made, want, by_id)
    if anew is not None:
        ctx.add(anew)
        return ContentState("anew", made.ids, made.containers)
    brief = inputs_changed(
        ctx,
        address,
        key,
        spec,
        request,
        made,
        lambda: _brief_changes(made.containers, want["brief"]),
    )
    failed = failed_ids(made.containers)
    if brief or failed:
        again = made.ids if brief else failed
        ctx.add(_regeneration(ctx, address, key, spec, made, brief, again))
        return ContentState("regen", made.ids, made.containers, tuple(again))
    if any(c.status in CONTAINER_RUNNING for c in made.containers):
        ctx.add(_still_running(ctx, address, spec, made))
        return ContentState("running", made.ids, made.containers)
    return ContentState("done", made.ids, made.containers)


def _generation_step(ctx: Ctx, address: str, target: ContentTarget, **fields: Any) -> Step:
    return ctx.step(address, Action.RUN_JOB, target, **fields)


def _first_generation(
    ctx: Ctx,
    address: str,
    key: str,
    want: dict[str, Any],
    by_id: Mapping[str | None, Container],
) -> Step:
    """Nothing recorded: generate, under the deterministic id of the key's first container (a
    container made under it by an apply that stopped before recording it is picked up)."""
    first = None if ctx.pid is None else content_id_for(ctx.pid, key)
    leftover = by_id.get(bare_id(first)) if first else None
    reason = "not generated yet"
    if leftover is not None:
        reason = "a container was generated but never recorded; apply picks it up"
    return _generation_step(
        ctx,
        address,
        ContentTarget(projectId=ctx.pid, containerId=first),
        changes=created(want),
        job=estimates.content(want["format"], want["variants"]),
        reason=reason,
    )


def _generated_anew(
    ctx: Ctx,
    address: str,
    key: str,
    made: Generated,
    want: dict[str, Any],
    by_id: Mapping[str | None, Container],
) -> Step | None:
    """New containers replace the recorded ones when the format or the number of variants
    changed, or when a recorded container no longer exists; None when neither."""
    job = estimates.content(want["format"], want["variants"])
    anew = ContentTarget(projectId=ctx.pid, previousContainerIds=made.ids)
    found = recorded_changes(made.record, want, "format", "variants")
    if found:
        return _generation_step(
            ctx,
            address,
            anew,
            changes=found,
            job=job,
            reason="format or variants changed: new containers are generated",
            warnings=[anew_warning(key)],
        )
    if len(made.containers) < len(made.ids):
        missing = [i for i in made.ids if bare_id(i) not in by_id]
        return _generation_step(
            ctx,
            address,
            anew,
            job=job,
            reason=f"recorded containers no longer exist ({', '.join(missing)})",
        )
    return None


def _regeneration(
    ctx: Ctx,
    address: str,
    key: str,
    spec: ContentSpec,
    made: Generated,
    brief: list[Change],
    again: list[str],
) -> Step:
    """The same containers are regenerated: all of them for a changed brief, else the failed."""
    changed = bool(brief)
    return _generation_step(
        ctx,
        address,
        ContentTarget(projectId=ctx.pid, containerIds=again),
        changes=brief,
        job=estimates.content(spec.format, len(made.ids), regenerate=True),
        reason=(
            "the brief changed: the same containers are regenerated"
            if changed
            else "the last generation failed: it is regenerated"
        ),
        warnings=(
            [
                f"regenerating {key!r} replaces its media and captions; posts already "
                "queued keep the old caption"
            ]
            if changed
            else []
        ),
    )


def _still_running(ctx: Ctx, address: str, spec: ContentSpec, made: Generated) -> Step:
    job_id = made.record.get("jobId") or made.containers[0].job_id
    return _generation_step(
        ctx,
        address,
        ContentTarget(projectId=ctx.pid, containerIds=made.ids, jobId=job_id),
        job=estimates.content(spec.format, 0),
        reason="the generation is still running; apply waits for it",
    )


def _brief_changes(containers: Sequence[Container], want: dict[str, Any]) -> list[Change]:
    """The brief's fields the file writes that changed, from the brief the content list shows on
    the recorded container. Fields only the stored brief has are left out (apply adds some, e.g.
    the pinned influencerId); [] when nothing shows (the caller then shows the hash)."""
    before = next((c.brief for c in containers if c.brief is not None), None)
    if before is None:
        return []
    return [
        Change(field=f"brief.{name}", before=before.get(name), after=want.get(name))
        for name in changed_keys(before, want, want)
    ]
