"""The content stage of the diff on Rev B: one generation call (one step, one container) per
variant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from layers_reconcile.config.generation import GenerationRequest
from layers_reconcile.config.models import ContentSpec
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.diff_generation import ContentState, recorded_as_wanted
from layers_reconcile.plan.fields import created
from layers_reconcile.plan.ids import bare_id, brief_hash
from layers_reconcile.plan.model import Action, Change, Step, StepKind
from layers_reconcile.records import Container
from layers_reconcile.statuses import CONTAINER_RUNNING


def variant_address(ctx: Ctx, key: str, variant: int) -> str:
    """Rev B generates each variant in a call (and step) of its own: `content/KEY[/vN]`."""
    return ctx.addr("content", key, *([f"v{variant}"] if variant > 1 else []))


# How a Rev B input is named in the file (and in `ignore:` paths).
_INPUT_FIELDS = {
    "hook": "brief.hook",
    "tiktokVideoId": "source.tiktokVideoId",
    "mediaId": "media",
    "account": "account",
}


def generation_b(
    ctx: Ctx,
    key: str,
    spec: ContentSpec,
    request: GenerationRequest,
    record: Any,
    by_id: Mapping[str | None, Container],
) -> ContentState:
    """Rev B: one step (one call, one container) per variant. A variant's container is the one
    apply recorded under `variantIds` right after the call was accepted; a call whose answer was
    lost is sent again under the same Idempotency-Key, which the API answers with the same
    container: nothing is ever found by guessing."""
    record = record if isinstance(record, dict) else {}
    variant_ids = record.get("variantIds")
    variant_ids = variant_ids if isinstance(variant_ids, dict) else {}
    jobs = record.get("variantJobs")
    jobs = jobs if isinstance(jobs, dict) else {}
    ids: list[str] = [str(i) for i in record.get("containerIds") or []]
    if "variantIds" not in record:  # written on Rev A: its containers are in variant order
        variant_ids = {str(n): cid for n, cid in enumerate(ids, start=1)}
    containers = [by_id[bare_id(i)] for i in ids if bare_id(i) in by_id]
    for variant in range(1, spec.variants + 1):
        ctx.seen(
            variant_address(ctx, key, variant),
            None
            if ctx.project is None
            else {
                "record": record,
                "containers": [(c.id, c.status, c.format) for c in containers],
            },
        )
    want_hash = brief_hash(request.inputs)
    estimate = estimates.content(spec.format, 1)

    def generate(variant: int, previous: list[str] | None = None, **fields: Any) -> Step:
        # An entry that speaks through an account waits for that platform's consent.
        account = spec.account
        target = ctx.target(
            previousContainerIds=previous,
            platform=account,
            socialAccountId=ctx.accounts.get(account) if account else None,
        )
        return ctx.step(
            variant_address(ctx, key, variant),
            StepKind.CONTENT,
            Action.RUN_JOB,
            job=estimate,
            target=target,
            **fields,
        )

    def shown(variant: int) -> dict[str, Any]:
        return {
            "format": spec.format,
            "route": request.route,
            "variant": variant,
            **{_INPUT_FIELDS[k]: v for k, v in request.inputs.items()},
        }

    if ctx.project is None or not (ids or variant_ids):
        for variant in range(1, spec.variants + 1):
            ctx.add(generate(variant, changes=created(shown(variant)), reason="not generated yet"))
        return ContentState("new", [], [])
    # Each variant is a call of its own: a changed `variants:` alone generates the variants the
    # record lacks (more) or leaves the later ones unused (fewer), never the first ones again.
    found = (
        [Change(field="format", before=record.get("format"), after=spec.format)]
        if record.get("format") != spec.format
        else []
    )
    kept = {str(variant_ids[str(v)]) for v in range(1, spec.variants + 1) if str(v) in variant_ids}
    missing = [i for i in ids if i in kept and bare_id(i) not in by_id]
    failed = [c.id for c in containers if c.status in ("failed", "canceled")]
    inputs = (
        ctx.keep(
            variant_address(ctx, key, 1),
            _input_changes(containers, request.inputs)
            or [Change(field="briefHash", before=record.get("briefHash"), after=want_hash)],
        )
        if not recorded_as_wanted(key, spec, record)
        else []
    )
    if found or missing or inputs:
        if found or inputs:
            why = "what the content is generated from changed"
        else:
            why = f"recorded containers no longer exist ({', '.join(missing)})"
        for variant in range(1, spec.variants + 1):
            ctx.add(
                generate(
                    variant,
                    changes=(found + inputs) if variant == 1 else [],
                    reason=f"{why}: new containers are generated (Rev B has no regenerate)",
                    warnings=[
                        f"content {key!r} is generated anew; queued posts of the replaced "
                        "containers are canceled"
                    ]
                    if variant == 1
                    else [],
                    previous=ids,
                )
            )
        return ContentState("anew", ids, containers)
    absent = [v for v in range(1, spec.variants + 1) if str(v) not in variant_ids]
    if absent:
        for variant in absent:
            ctx.add(
                generate(
                    variant,
                    changes=created(shown(variant)),
                    reason=f"variant {variant} not generated yet",
                )
            )
        return _made_so_far(spec, variant_ids, containers, set(absent))
    broken = {bare_id(c) for c in failed}
    again = [v for v in range(1, spec.variants + 1) if bare_id(variant_ids[str(v)]) in broken]
    if again:
        # Only the variants whose generation failed are made again (their credits alone).
        for variant in again:
            cid = str(variant_ids[str(variant)])
            ctx.add(
                generate(
                    variant,
                    changes=[Change(field="status", before="failed", after="completed")],
                    reason=f"variant {variant}'s generation failed: a new container replaces "
                    "it (Rev B has no regenerate)",
                    previous=[cid],
                )
            )
        return _made_so_far(spec, variant_ids, containers, set(again))
    running = False
    for variant in range(1, spec.variants + 1):
        cid = str(variant_ids[str(variant)])
        container = by_id.get(bare_id(cid))
        if container is None or container.status not in CONTAINER_RUNNING:
            continue
        running = True
        job = jobs.get(str(variant)) or container.job_id
        ctx.add(
            ctx.step(
                variant_address(ctx, key, variant),
                StepKind.CONTENT,
                Action.RUN_JOB,
                job=estimates.content(spec.format, 0),
                reason="the generation is still running; apply waits for it",
                target=ctx.target(containerIds=[cid], jobId=job),
            )
        )
    ordered = [str(variant_ids[str(v)]) for v in range(1, spec.variants + 1)]
    used = {bare_id(i) for i in ordered}
    containers = [c for c in containers if bare_id(c.id) in used]
    return ContentState("running" if running else "done", ordered, containers)


def _made_so_far(
    spec: ContentSpec,
    variant_ids: Mapping[str, Any],
    containers: Sequence[Container],
    pending: set[int],
) -> ContentState:
    """While some variants are (re)generated, the ones already made stand: their posts and
    approvals are theirs (a schedule of variant 1 is not planned again because v3 is new).
    Positional, so only the variants before the first pending one."""
    made: list[str] = []
    for variant in range(1, spec.variants + 1):
        if variant in pending or str(variant) not in variant_ids:
            break
        made.append(str(variant_ids[str(variant)]))
    kept = {bare_id(i) for i in made}
    return ContentState("running", made, [c for c in containers if bare_id(c.id) in kept])


def _input_changes(containers: Sequence[Container], want: dict[str, Any]) -> list[Change]:
    """The Rev B inputs that changed, by their names in the file, from what the recorded
    container shows it was generated from; [] when it shows nothing (the hash is shown)."""
    before = next((c.brief for c in containers if c.brief is not None), None)
    if before is None:
        return []
    out = []
    for name, field in _INPUT_FIELDS.items():
        # The container names the account by its id, and the API's default media when the
        # file names none: neither is compared here (a change still shows as the hash).
        if name == "account" or (name == "mediaId" and name not in want):
            continue
        if before.get(name) != want.get(name):
            out.append(Change(field=field, before=before.get(name), after=want.get(name)))
    return out
