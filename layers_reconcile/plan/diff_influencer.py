"""The influencer stage of the diff: create, select (pin) or wait for the customer's influencer."""

from __future__ import annotations

from layers_reconcile import revb
from layers_reconcile.config.models import InfluencerSpec
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import created
from layers_reconcile.plan.ids import same_id
from layers_reconcile.plan.influencers import file_influencer, file_influencer_label
from layers_reconcile.plan.model import Action, Change, Step
from layers_reconcile.plan.targets import InfluencerTarget
from layers_reconcile.records import Influencer
from layers_reconcile.statuses import INFLUENCER_BUSY


def diff_influencer(ctx: Ctx) -> None:
    """The file's influencer is created (on Rev B Layers makes one from the hints), waited for
    while it is being created, or pinned once found."""
    want = ctx.spec.influencer
    if want is None:
        return
    address = ctx.addr("influencer")
    items = ctx.actual.influencers or []
    pinned = ctx.reserved.get("influencerId")
    ctx.seen(
        address,
        None
        if ctx.project is None
        else {
            "pinned": pinned,
            "items": sorted((i.id, i.name, i.status) for i in items),
        },
    )
    job = ctx.reserved.get("influencerJob") or {}
    match = (
        None
        if ctx.project is None
        else file_influencer(
            items, want, revision=ctx.revision, recorded=(pinned, job.get("influencerId"))
        )
    )
    step = _influencer_step(ctx, address, want, match, pinned)
    if step is not None:
        ctx.add(step)


def _influencer_step(
    ctx: Ctx,
    address: str,
    want: str | InfluencerSpec,
    match: Influencer | None,
    pinned: str | None,
) -> Step | None:
    if match is None:
        if isinstance(want, InfluencerSpec) and want.id is None:
            return _create(ctx, address, want, pinned)
        return _pin_once_found(ctx, address, want, pinned)
    if isinstance(want, InfluencerSpec) and match.status in INFLUENCER_BUSY:
        return _being_created(ctx, address, want, match, pinned)
    if same_id(pinned, match.id):
        return None
    return ctx.step(
        address,
        Action.SELECT,
        InfluencerTarget(projectId=ctx.pid, influencerId=match.id, name=match.name),
        changes=[Change(field="influencerId", before=pinned, after=match.id)],
        reason=f"pins {match.name!r}",
    )


def _pin_unknown(pinned: str | None) -> Change:
    return Change(field="influencerId", before=pinned, after_unknown=True)


def _create(ctx: Ctx, address: str, want: InfluencerSpec, pinned: str | None) -> Step:
    """The file describes an influencer (no `id:`) that does not exist: it is created, pinned."""
    if ctx.revision == "b":
        attributes = revb.influencer_hints(want.model_dump(exclude_unset=True))
        reason = "the tool has created no influencer here; Layers creates one from the hints"
    else:
        attributes = want.model_dump(exclude_unset=True)
        reason = (
            f"no influencer named {file_influencer_label(want)!r} exists; it is created and pinned"
        )
    # Rev B: Layers names it (the attributes are hints); it is found by its recorded id.
    name = want.name if ctx.revision == "a" else None
    return ctx.step(
        address,
        Action.RUN_JOB,
        InfluencerTarget(projectId=ctx.pid, name=name),
        changes=[*created(attributes), _pin_unknown(pinned)],
        job=estimates.influencer(),
        reason=reason,
    )


def _pin_once_found(ctx: Ctx, address: str, want: str | InfluencerSpec, pinned: str | None) -> Step:
    """An influencer the file names (by name or id) that is not there yet: apply pins it."""
    name = file_influencer_label(want)
    # `id:` adopts that influencer only; a bare name or id is found by either.
    by_id = isinstance(want, InfluencerSpec) and want.id is not None
    warnings = []
    if ctx.project is not None and not ctx.ingest_pending:
        warnings.append(
            f"no influencer with id {name!r} exists in the project"
            if by_id
            else f"no influencer named {name!r} exists in the project yet"
        )
    return ctx.step(
        address,
        Action.SELECT,
        InfluencerTarget(projectId=ctx.pid, name=name),
        changes=[_pin_unknown(pinned)],
        reason=f"adopts the influencer with id {name!r}"
        if by_id
        else f"pins {name!r}, chosen by name once it exists",
        warnings=warnings,
    )


def _being_created(
    ctx: Ctx, address: str, want: InfluencerSpec, match: Influencer, pinned: str | None
) -> Step:
    """The file's influencer is still being created: apply waits for it (and pins it)."""
    name = match.name or file_influencer_label(want)
    target = InfluencerTarget(
        projectId=ctx.pid, influencerId=match.id, name=match.name or want.name
    )
    return ctx.step(
        address,
        Action.RUN_JOB,
        target,
        changes=(
            []
            if same_id(pinned, match.id)
            else [Change(field="influencerId", before=pinned, after=match.id)]
        ),
        job=estimates.influencer(),
        reason=f"influencer {name!r} is still being created ({match.status}); apply waits",
    )
