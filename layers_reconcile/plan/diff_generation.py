"""The content stage of the diff on Rev A: one generate job per entry (or a regenerate of its
containers), and what it leaves for the approval and schedule stages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.generation import generation_request
from layers_reconcile.config.models import ContentSpec
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import changed_keys, created
from layers_reconcile.plan.ids import bare_id, brief_hash, content_id_for
from layers_reconcile.plan.model import Action, Change, Step, StepKind
from layers_reconcile.records import Container
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


def _desired(spec: ContentSpec) -> dict[str, Any]:
    return {
        "format": spec.format,
        "variants": spec.variants,
        "brief": spec.brief.model_dump(exclude_unset=True),
    }


def generation_a(
    ctx: Ctx,
    key: str,
    spec: ContentSpec,
    record: Any,
    by_id: Mapping[str | None, Container],
) -> ContentState:
    address = ctx.addr("content", key)
    record = record if isinstance(record, dict) else {}
    ids: list[str] = [str(i) for i in record.get("containerIds") or []]
    containers = [by_id[bare_id(i)] for i in ids if bare_id(i) in by_id]
    ctx.seen(
        address,
        None
        if ctx.project is None
        else {
            "record": record,
            "containers": [(c.id, c.status, c.format) for c in containers],
        },
    )
    want = _desired(spec)
    want_hash = brief_hash(want["brief"])

    def generation(**fields: Any) -> Step:
        return ctx.step(address, StepKind.CONTENT, Action.RUN_JOB, **fields)

    generate = estimates.content(spec.format, spec.variants)
    if ctx.project is None or not record:
        first = None if ctx.pid is None else content_id_for(ctx.pid, key)
        leftover = by_id.get(bare_id(first)) if first else None
        reason = "not generated yet"
        if leftover is not None:
            reason = "a container was generated but never recorded; apply picks it up"
        ctx.add(
            generation(
                changes=created(want),
                job=generate,
                reason=reason,
                target=ctx.target(containerId=first),
            )
        )
        return ContentState("new", [], [])
    if record.get("format") != spec.format or record.get("variants") != spec.variants:
        found = [
            Change(field=f, before=record.get(f), after=want[f])
            for f in ("format", "variants")
            if record.get(f) != want[f]
        ]
        ctx.add(
            generation(
                changes=found,
                job=generate,
                reason="format or variants changed: new containers are generated",
                warnings=[
                    f"content {key!r} is generated anew; queued posts of the replaced "
                    "containers are canceled"
                ],
                target=ctx.target(previousContainerIds=ids),
            )
        )
        return ContentState("anew", ids, containers)
    if len(containers) < len(ids):
        missing = [i for i in ids if bare_id(i) not in by_id]
        ctx.add(
            generation(
                job=generate,
                reason=f"recorded containers no longer exist ({', '.join(missing)})",
                target=ctx.target(previousContainerIds=ids),
            )
        )
        return ContentState("anew", ids, containers)
    failed = [c.id for c in containers if c.status in ("failed", "canceled")]
    brief = (
        ctx.keep(
            address,
            _brief_changes(containers, want["brief"])
            or [Change(field="briefHash", before=record.get("briefHash"), after=want_hash)],
        )
        if not recorded_as_wanted(key, spec, record)
        else []
    )
    if brief or failed:
        changed = bool(brief)
        ctx.add(
            generation(
                changes=brief,
                job=estimates.content(spec.format, len(ids), regenerate=True),
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
                target=ctx.target(containerIds=ids if changed else failed),
            )
        )
        return ContentState("regen", ids, containers, tuple(ids if changed else failed))
    if any(c.status in CONTAINER_RUNNING for c in containers):
        ctx.add(
            generation(
                job=estimates.content(spec.format, 0),
                reason="the generation is still running; apply waits for it",
                target=ctx.target(
                    containerIds=ids,
                    jobId=record.get("jobId") or containers[0].job_id,
                ),
            )
        )
        return ContentState("running", ids, containers)
    return ContentState("done", ids, containers)


def recorded_as_wanted(key: str, spec: ContentSpec, record: dict[str, Any]) -> bool:
    """Whether the recorded hash is of what the entry asks now, as the revision that wrote the
    record hashes it (Rev B records name `variantIds`): content made on one revision is not
    generated again only because the API now speaks the other."""
    written_on: ApiRevision = "b" if "variantIds" in record else "a"
    inputs = generation_request(key, spec, written_on).inputs
    return record.get("briefHash") == brief_hash(inputs)


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
