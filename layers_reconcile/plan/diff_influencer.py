"""The influencer stage of the diff: create, select (pin) or wait for the customer's influencer."""

from __future__ import annotations

from layers_reconcile import revb
from layers_reconcile.config.models import InfluencerSpec
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import created
from layers_reconcile.plan.ids import same_id
from layers_reconcile.plan.influencers import file_influencer, file_influencer_label
from layers_reconcile.plan.model import Action, Change, StepKind
from layers_reconcile.statuses import INFLUENCER_BUSY


def diff_influencer(ctx: Ctx) -> None:
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
    name = file_influencer_label(want)
    job = ctx.reserved.get("influencerJob") or {}
    match = (
        None
        if ctx.project is None
        else file_influencer(
            items, want, revision=ctx.revision, recorded=(pinned, job.get("influencerId"))
        )
    )
    pin_unknown = Change(field="influencerId", before=pinned, after_unknown=True)
    creates = isinstance(want, InfluencerSpec) and want.id is None
    if creates and match is None:
        assert isinstance(want, InfluencerSpec)
        if ctx.revision == "b":
            attributes = revb.influencer_hints(want.model_dump(exclude_unset=True))
            reason = "the tool has created no influencer here; Layers creates one from the hints"
        else:
            attributes = want.model_dump(exclude_unset=True)
            reason = f"no influencer named {name!r} exists; it is created and pinned"
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.RUN_JOB,
                changes=[*created(attributes), pin_unknown],
                job=estimates.influencer(),
                reason=reason,
                target=ctx.target(name=want.name if ctx.revision == "a" else None),
            )
        )
        return
    if match is None:
        # `id:` adopts that influencer only; a bare name or id is found by either.
        by_id = isinstance(want, InfluencerSpec) and want.id is not None
        warnings = []
        if ctx.project is not None and not ctx.ingest_pending:
            warnings.append(
                f"no influencer with id {name!r} exists in the project"
                if by_id
                else f"no influencer named {name!r} exists in the project yet"
            )
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.SELECT,
                changes=[pin_unknown],
                reason=f"adopts the influencer with id {name!r}"
                if by_id
                else f"pins {name!r}, chosen by name once it exists",
                warnings=warnings,
                target=ctx.target(name=name),
            )
        )
        return
    found_id = match.id
    if isinstance(want, InfluencerSpec) and match.status in INFLUENCER_BUSY:
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.RUN_JOB,
                changes=(
                    []
                    if same_id(pinned, found_id)
                    else [Change(field="influencerId", before=pinned, after=found_id)]
                ),
                job=estimates.influencer(),
                reason=f"influencer {(match.name or name)!r} is still being created "
                f"({match.status}); apply waits",
                target=ctx.target(influencerId=found_id, name=match.name or want.name),
            )
        )
        return
    if not same_id(pinned, found_id):
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.SELECT,
                changes=[Change(field="influencerId", before=pinned, after=found_id)],
                reason=f"pins {match.name!r}",
                target=ctx.target(influencerId=found_id, name=match.name),
            )
        )
