"""The content stage of the diff on Rev B: one generation call (one step, one container) per
variant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.generation import GenerationRequest
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.diff_generation import (
    ContentState,
    Generated,
    anew_warning,
    failed_ids,
    generated,
    generation_facts,
    inputs_changed,
    recorded_changes,
)
from layers_reconcile.plan.fields import created
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.model import Action, Change, Step
from layers_reconcile.plan.targets import ContentTarget
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
    made = generated(record, by_id)
    variant_ids = _variant_ids(made)
    calls = _Calls(ctx, key, spec, request)
    for variant in calls.variants:
        ctx.seen(variant_address(ctx, key, variant), generation_facts(ctx, made))
    if ctx.project is None or not (made.ids or variant_ids):
        for variant in calls.variants:
            ctx.add(
                calls.step(
                    variant, changes=created(calls.shown(variant)), reason="not generated yet"
                )
            )
        return ContentState("new", [], [])
    if _generated_anew(calls, made, variant_ids, by_id):
        return ContentState("anew", made.ids, made.containers)
    pending = _absent(calls, variant_ids) or _failed_again(calls, made, variant_ids)
    if pending:
        return _made_so_far(spec, variant_ids, made.containers, pending)
    return _running_or_done(calls, made, variant_ids, by_id)


@dataclass(frozen=True)
class _Calls:
    """The generation calls of one content key on Rev B: a step per variant."""

    ctx: Ctx
    key: str
    spec: ContentSpec
    request: GenerationRequest

    @property
    def variants(self) -> range:
        return range(1, self.spec.variants + 1)

    def step(self, variant: int, previous: list[str] | None = None, **fields: Any) -> Step:
        # An entry that speaks through an account waits for that platform's consent.
        ctx, account = self.ctx, self.spec.account
        target = ContentTarget(
            projectId=ctx.pid,
            previousContainerIds=previous,
            platform=account,
            socialAccountId=ctx.accounts.get(account) if account else None,
        )
        return ctx.step(
            variant_address(ctx, self.key, variant),
            Action.RUN_JOB,
            target,
            job=estimates.content(self.spec.format, 1),
            **fields,
        )

    def shown(self, variant: int) -> dict[str, Any]:
        """What a new variant is generated from, by the names the file gives the inputs."""
        return {
            "format": self.spec.format,
            "route": self.request.route,
            "variant": variant,
            **{_INPUT_FIELDS[k]: v for k, v in self.request.inputs.items()},
        }


def _variant_ids(made: Generated) -> dict[str, Any]:
    """The container of each variant ("1", "2", …) as apply recorded it; a record written on
    Rev A has none, and its containers are in variant order."""
    if "variantIds" not in made.record:
        return {str(n): cid for n, cid in enumerate(made.ids, start=1)}
    variant_ids = made.record.get("variantIds")
    return variant_ids if isinstance(variant_ids, dict) else {}


def _generated_anew(
    calls: _Calls,
    made: Generated,
    variant_ids: Mapping[str, Any],
    by_id: Mapping[str | None, Container],
) -> bool:
    """Every variant is generated anew when the format or the inputs changed, or a recorded
    container of a variant in use no longer exists. True when so (the steps are added)."""
    ctx, key, spec, request = calls.ctx, calls.key, calls.spec, calls.request
    # Each variant is a call of its own: a changed `variants:` alone generates the variants the
    # record lacks (more) or leaves the later ones unused (fewer), never the first ones again.
    found = recorded_changes(made.record, {"format": spec.format}, "format")
    kept = {str(variant_ids[str(v)]) for v in calls.variants if str(v) in variant_ids}
    missing = [i for i in made.ids if i in kept and bare_id(i) not in by_id]
    inputs = inputs_changed(
        ctx,
        variant_address(ctx, key, 1),
        key,
        spec,
        request,
        made,
        lambda: _input_changes(made.containers, request.inputs),
    )
    if not (found or missing or inputs):
        return False
    if found or inputs:
        why = "what the content is generated from changed"
    else:
        why = f"recorded containers no longer exist ({', '.join(missing)})"
    for variant in calls.variants:
        first = variant == 1
        ctx.add(
            calls.step(
                variant,
                changes=(found + inputs) if first else [],
                reason=f"{why}: new containers are generated (Rev B has no regenerate)",
                warnings=[anew_warning(key)] if first else [],
                previous=made.ids,
            )
        )
    return True


def _absent(calls: _Calls, variant_ids: Mapping[str, Any]) -> set[int]:
    """The variants the record has no container for (`variants:` grew): each is generated."""
    absent = [v for v in calls.variants if str(v) not in variant_ids]
    for variant in absent:
        calls.ctx.add(
            calls.step(
                variant,
                changes=created(calls.shown(variant)),
                reason=f"variant {variant} not generated yet",
            )
        )
    return set(absent)


def _failed_again(calls: _Calls, made: Generated, variant_ids: Mapping[str, Any]) -> set[int]:
    """Only the variants whose generation failed are made again (their credits alone)."""
    broken = {bare_id(c) for c in failed_ids(made.containers)}
    again = [v for v in calls.variants if bare_id(variant_ids[str(v)]) in broken]
    for variant in again:
        cid = str(variant_ids[str(variant)])
        calls.ctx.add(
            calls.step(
                variant,
                changes=[Change(field="status", before="failed", after="completed")],
                reason=f"variant {variant}'s generation failed: a new container replaces "
                "it (Rev B has no regenerate)",
                previous=[cid],
            )
        )
    return set(again)


def _running_or_done(
    calls: _Calls,
    made: Generated,
    variant_ids: Mapping[str, Any],
    by_id: Mapping[str | None, Container],
) -> ContentState:
    """Every variant has its container: apply waits for those still generating."""
    ctx, spec = calls.ctx, calls.spec
    jobs = made.record.get("variantJobs")
    jobs = jobs if isinstance(jobs, dict) else {}
    running = False
    for variant in calls.variants:
        cid = str(variant_ids[str(variant)])
        container = by_id.get(bare_id(cid))
        if container is None or container.status not in CONTAINER_RUNNING:
            continue
        running = True
        job_id = jobs.get(str(variant)) or container.job_id
        ctx.add(
            ctx.step(
                variant_address(ctx, calls.key, variant),
                Action.RUN_JOB,
                ContentTarget(projectId=ctx.pid, containerIds=[cid], jobId=job_id),
                job=estimates.content(spec.format, 0),
                reason="the generation is still running; apply waits for it",
            )
        )
    ordered = [str(variant_ids[str(v)]) for v in calls.variants]
    used = {bare_id(i) for i in ordered}
    containers = [c for c in made.containers if bare_id(c.id) in used]
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
