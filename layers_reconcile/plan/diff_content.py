"""The content stages of the diff: generate/regenerate, approval, schedules, cancels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from layers_reconcile.apirevision import REVISIONS, ApiRevision
from layers_reconcile.config.generation import GenerationRequest, Speaker, generation_request
from layers_reconcile.config.models import ContentSpec, ScheduleSpec
from layers_reconcile.config.times import instant_text, resolve_at
from layers_reconcile.instants import iso_instant
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx, requires_approval
from layers_reconcile.plan.fields import changed_keys, created
from layers_reconcile.plan.ids import (
    CANCELED_KEY,
    bare_id,
    brief_hash,
    content_id_for,
    parse_instant,
    schedule_suffix,
)
from layers_reconcile.plan.model import Action, Change, PersonGate, Step, StepKind
from layers_reconcile.plan.rounds import Entry, Rounds, round_of, rounds
from layers_reconcile.records import Container, ScheduledPost, ScheduleIntent
from layers_reconcile.revb import wire_mode
from layers_reconcile.statuses import CONTAINER_RUNNING, UNKNOWN

SOON = timedelta(hours=1)


@dataclass
class _State:
    """What the content stage leaves for the approval and schedule stages of one key."""

    # new: nothing generated; anew: replaced by a new generation; regen: same containers
    # regenerated; running: a generation is still running; done: converged.
    mode: str
    container_ids: list[str]
    containers: Sequence[Container]
    regenerated: tuple[str, ...] = ()  # regen: the containers the regenerate resets


def diff_content(ctx: Ctx) -> None:
    """Content is managed when the file has a `content` section; a key missing from it is
    removed (its queued posts are canceled), and so is a schedule entry missing from a key."""
    if ctx.spec.content is None:
        return
    contents = ctx.spec.content
    recorded: dict[str, Any] = ctx.reserved.get("content") or {}
    by_id = {bare_id(c.id): c for c in ctx.actual.content or []}
    posts = ctx.actual.scheduled_posts or []
    revision = ctx.revision
    for key in sorted(contents):
        spec = contents[key]
        request = generation_request(key, spec, revision, speaker_of(ctx, spec))
        if ctx.settings.apiRevision not in REVISIONS:  # auto: what a pin would refuse
            ctx.warnings += [
                f"{ctx.addr('content', key)}: {note.message} (not sent on Rev "
                f"{revision.upper()}; pin apiRevision to make this an error)"
                for note in request.dropped
            ]
        if request.problems:
            continue  # no request of this revision can carry it out: an error at its line
        if revision == "b":
            state = _generation_b(ctx, key, spec, request, recorded.get(key), by_id)
        else:
            state = _generation(ctx, key, spec, recorded.get(key), by_id)
        _approval(ctx, key, spec, state)
        _schedules(ctx, key, spec, state, posts)
    for key in sorted(set(recorded) - set(contents)):
        _removed(ctx, key, recorded[key], posts)


def _desired(spec: ContentSpec) -> dict[str, Any]:
    return {
        "format": spec.format,
        "variants": spec.variants,
        "brief": spec.brief.model_dump(exclude_unset=True),
    }


def _generation(
    ctx: Ctx,
    key: str,
    spec: ContentSpec,
    record: Any,
    by_id: Mapping[str | None, Container],
) -> _State:
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
        return _State("new", [], [])
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
        return _State("anew", ids, containers)
    if len(containers) < len(ids):
        missing = [i for i in ids if bare_id(i) not in by_id]
        ctx.add(
            generation(
                job=generate,
                reason=f"recorded containers no longer exist ({', '.join(missing)})",
                target=ctx.target(previousContainerIds=ids),
            )
        )
        return _State("anew", ids, containers)
    failed = [c.id for c in containers if c.status in ("failed", "canceled")]
    brief = (
        ctx.keep(
            address,
            _brief_changes(containers, want["brief"])
            or [Change(field="briefHash", before=record.get("briefHash"), after=want_hash)],
        )
        if not _recorded_as_wanted(key, spec, record)
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
        return _State("regen", ids, containers, tuple(ids if changed else failed))
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
        return _State("running", ids, containers)
    return _State("done", ids, containers)


def speaker_of(ctx: Ctx, spec: ContentSpec) -> Speaker:
    """Who speaks in content `spec`: its `account:`'s connected account, else the customer's
    pinned influencer (None until known)."""
    pinned = ctx.reserved.get("influencerId")
    return Speaker(
        influencer=ctx.spec.influencer is not None,
        influencer_id=pinned if isinstance(pinned, str) else None,
        social_account_id=ctx.accounts.get(spec.account) if spec.account else None,
    )


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


def _generation_b(
    ctx: Ctx,
    key: str,
    spec: ContentSpec,
    request: GenerationRequest,
    record: Any,
    by_id: Mapping[str | None, Container],
) -> _State:
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
        return _State("new", [], [])
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
        if not _recorded_as_wanted(key, spec, record)
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
        return _State("anew", ids, containers)
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
    return _State("running" if running else "done", ordered, containers)


def _made_so_far(
    spec: ContentSpec,
    variant_ids: Mapping[str, Any],
    containers: Sequence[Container],
    pending: set[int],
) -> _State:
    """While some variants are (re)generated, the ones already made stand: their posts and
    approvals are theirs (a schedule of variant 1 is not planned again because v3 is new).
    Positional, so only the variants before the first pending one."""
    made: list[str] = []
    for variant in range(1, spec.variants + 1):
        if variant in pending or str(variant) not in variant_ids:
            break
        made.append(str(variant_ids[str(variant)]))
    kept = {bare_id(i) for i in made}
    return _State("running", made, [c for c in containers if bare_id(c.id) in kept])


def _recorded_as_wanted(key: str, spec: ContentSpec, record: dict[str, Any]) -> bool:
    """Whether the recorded hash is of what the entry asks now, as the revision that wrote the
    record hashes it (Rev B records name `variantIds`): content made on one revision is not
    generated again only because the API now speaks the other."""
    written_on: ApiRevision = "b" if "variantIds" in record else "a"
    inputs = generation_request(key, spec, written_on).inputs
    return record.get("briefHash") == brief_hash(inputs)


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


def _approval(ctx: Ctx, key: str, spec: ContentSpec, state: _State) -> None:
    address = ctx.addr("content", key, "approval")
    statuses = sorted((c.id, c.approval_status) for c in state.containers)
    ctx.seen(address, None if ctx.project is None else statuses)
    if state.mode == "done":
        if _unknown_approval(ctx, address, key, state.containers):
            return
        pending = [cid for cid, status in statuses if status == "pending"]
        for cid, status in statuses:
            if status == "rejected":
                ctx.warnings.append(
                    f"content {key!r}: container {cid} was rejected; change the brief to regenerate it"
                )
        if not pending:
            return
        before: dict[str, Any] = {"before": "pending"}
        target = ctx.target(containerIds=pending)
    elif state.mode == "running" and not requires_approval(ctx):
        return
    elif state.mode == "regen":
        # A regenerate resets the approval only of containers the policy gated (the API keeps
        # `not_required` ones as they are): approving any other would be a step apply never runs.
        if not requires_approval(ctx):
            return
        again = {bare_id(i) for i in state.regenerated}
        reset = [
            cid
            for cid, status in statuses
            if status == "pending" or (bare_id(cid) in again and status != "not_required")
        ]
        if not reset:
            return
        before = {"before": "pending"}
        target = ctx.target()
    else:
        if not requires_approval(ctx):
            return
        before = {"before": "pending"}
        target = ctx.target()
    change = Change(field="approvalStatus", after="approved", **before)
    if spec.approve:
        ctx.add(
            ctx.step(
                address,
                StepKind.CONTENT_APPROVAL,
                Action.APPROVE,
                changes=[change],
                reason="approve: true — the merged file is the approval",
                target=target,
            )
        )
        return
    ctx.add(
        ctx.step(
            address,
            StepKind.CONTENT_APPROVAL,
            Action.WAIT_ON_PERSON,
            person=PersonGate(
                kind="content_approval",
                message=f"someone reviews and approves content {key!r} in Layers "
                "(or set `approve: true` in the file)",
            ),
            reason="the project requires approval before posting",
            target=target,
        )
    )


def _unknown_approval(ctx: Ctx, address: str, key: str, containers: Sequence[Container]) -> bool:
    """An approval status this version does not know is neither approved nor posted: a wait on
    a person, naming the status as sent. True when there is one."""
    newer = [c for c in containers if c.approval_status == UNKNOWN]
    if not newer:
        return False
    said = ", ".join(f"{c.id} is {c.approval_status_sent!r}" for c in newer)
    ctx.add(
        ctx.step(
            address,
            StepKind.CONTENT_APPROVAL,
            Action.WAIT_ON_PERSON,
            person=PersonGate(
                kind="content_approval",
                message=f"someone clears content {key!r} in Layers ({said}: a status this "
                "version of layers-reconcile does not know)",
            ),
            reason="an approval status this version does not know; nothing is approved",
            target=ctx.target(containerIds=[c.id for c in newer]),
        )
    )
    return True


def _entry_address(ctx: Ctx, key: str, entry: ScheduleSpec) -> str:
    suffix = schedule_suffix(entry.id, entry.account, entry.variant)
    return ctx.addr("content", key, "schedule", *suffix.split("/"))


def _timezone(ctx: Ctx) -> str | None:
    if ctx.spec.project.timezone:
        return ctx.spec.project.timezone
    return ctx.project.timezone if ctx.project else None


def _time_warnings(ctx: Ctx, when: datetime) -> list[str]:
    shown = instant_text(when, _timezone(ctx))
    if when < ctx.now:
        return [f"{shown} is in the past: the post goes out at once"]
    if when - ctx.now < SOON:
        return [f"the post goes out within the hour ({shown})"]
    return []


def _post_fact(post: ScheduledPost | None) -> Any:
    if post is None:
        return None
    return {
        "id": post.id,
        "status": post.status,
        "scheduledFor": post.scheduled_for,
        "containerId": post.container_id,
        "platform": post.platform,
    }


def _intent_fact(intent: ScheduleIntent | None) -> Any:
    if intent is None:
        return None
    return {"scheduledPostId": intent.scheduled_post_id, "scheduledFor": intent.scheduled_for}


def _schedules(
    ctx: Ctx, key: str, spec: ContentSpec, state: _State, posts: Sequence[ScheduledPost]
) -> None:
    owned = {bare_id(i) for i in state.container_ids}
    current = owned if state.mode != "anew" else set()
    by_id = {bare_id(p.id): p for p in posts}
    wanted: set[str | None] = set()
    gated = requires_approval(ctx) and not spec.approve
    # Schedules asked for while the content was pending wait on the container as intents.
    intents = {
        bare_id(i.scheduled_post_id): i
        for c in (state.containers if state.mode != "anew" else [])
        for i in c.pending_schedule_intents
    }
    for entry in spec.schedule:
        address = _entry_address(ctx, key, entry)
        when = resolve_at(entry.at, _timezone(ctx))
        pid = ctx.pid
        chain = None if pid is None else _chain(pid, key, entry, by_id)
        post_id = None if chain is None else chain.post_id
        wanted.add(bare_id(post_id))
        post = by_id.get(bare_id(post_id)) if post_id else None
        if post is not None and bare_id(post.container_id) not in current:
            post = None  # it belongs to a replaced container
        intent = intents.get(bare_id(post_id)) if post is None and post_id else None
        ctx.seen(
            address,
            None if pid is None else {"post": _post_fact(post), "intent": _intent_fact(intent)},
        )
        container = None
        if state.mode in ("done", "running", "regen") and entry.variant <= len(state.container_ids):
            container = state.container_ids[entry.variant - 1]
        if intent is not None and parse_instant(intent.scheduled_for) == when:
            continue  # held until the content is approved, then it becomes this very post
        outside = (
            None if chain is None or post is not None else _canceled_outside(ctx, chain, by_id)
        )
        if outside is not None:
            ctx.seen(address, {"canceled": _post_fact(outside), "restore": entry.restore})
        if outside is not None and not entry.restore:
            when_canceled = outside.canceled_at or outside.updated_at
            at = f" at {instant_text(str(when_canceled), _timezone(ctx))}" if when_canceled else ""
            ctx.warnings.append(
                f"{address}: drift: the post was canceled outside this workspace{at}; apply "
                "leaves it canceled. Remove the entry from the file to agree, or add "
                "`restore: true` to the entry to post it again"
            )
            continue
        if post is None:
            reason = f"no post for variant {entry.variant} on {entry.account} yet"
            if outside is not None:
                reason = (
                    "the post was canceled outside this workspace; restore: true posts it again"
                )
            elif chain is not None and chain.number:
                reason = "the previous post was canceled"
            if gated:
                reason += "; it waits on the content approval"
            ctx.add(
                ctx.step(
                    address,
                    StepKind.SCHEDULE,
                    Action.SCHEDULE,
                    changes=[
                        Change(field="scheduledFor", before=None, after=iso_instant(when)),
                        Change(
                            field="mode", before=None, after=wire_mode(entry.mode, ctx.revision)
                        ),
                        *(
                            [
                                Change(
                                    field="captionOverride",
                                    before=None,
                                    after=entry.captionOverride,
                                )
                            ]
                            if entry.captionOverride
                            else []
                        ),
                    ],
                    reason=reason,
                    warnings=_time_warnings(ctx, when),
                    target=ctx.target(
                        containerId=container,
                        postId=post_id,
                        platform=entry.account,
                        socialAccountId=ctx.accounts.get(entry.account),
                        scheduledFor=iso_instant(when),
                        mode=wire_mode(entry.mode, ctx.revision),
                        captionOverride=entry.captionOverride or None,
                    ),
                )
            )
            continue
        _existing(ctx, address, entry, when, post)
    _stray(ctx, key, owned, wanted if state.mode != "anew" else set(), posts)


def _chain(
    pid: str, key: str, entry: ScheduleSpec, by_id: Mapping[str | None, ScheduledPost]
) -> Rounds:
    """Where the entry's posts stand: an entry whose post was canceled is posted again under the
    next round's id when it is asked for again (see `_canceled_outside` for who canceled it)."""
    statuses = {post_id: post.status for post_id, post in by_id.items()}
    return rounds(Entry(pid, key, entry.account, entry.variant, entry.id), statuses)


def _canceled_outside(
    ctx: Ctx, chain: Rounds, by_id: Mapping[str | None, ScheduledPost]
) -> ScheduledPost | None:
    """The entry's last post when someone else canceled it (not this tool: apply records the
    posts it cancels in the reserved key), else None."""
    if chain.previous is None:
        return None
    post = by_id.get(bare_id(chain.previous))
    if post is None:
        return None
    ours = {bare_id(i) for i in ctx.reserved.get(CANCELED_KEY) or [] if isinstance(i, str)}
    return None if bare_id(chain.previous) in ours else post


def _existing(
    ctx: Ctx, address: str, entry: ScheduleSpec, when: datetime, post: ScheduledPost
) -> None:
    status = post.status
    have = parse_instant(post.scheduled_for)
    moved = have is None or have != when
    want_mode = wire_mode(entry.mode, ctx.revision)
    if status == "queued" and post.mode is not None and post.mode != want_mode:
        # A post's target is immutable (only its time can move): say so rather than nothing.
        ctx.warnings.append(
            f"{address}: the queued post {post.id} is in mode {post.mode!r}, the file asks "
            f"{want_mode!r}; a post's mode cannot change: give the entry a new `id:` to post "
            "it in that mode (the old post is then canceled)"
        )
    if status == "queued":
        if not moved:
            return
        ctx.add(
            ctx.step(
                address,
                StepKind.SCHEDULE,
                Action.RESCHEDULE,
                changes=[
                    Change(
                        field="scheduledFor",
                        before=post.scheduled_for,
                        after=iso_instant(when),
                    )
                ],
                warnings=_time_warnings(ctx, when),
                target=ctx.target(
                    postId=post.id,
                    platform=entry.account,
                    scheduledFor=iso_instant(when),
                ),
            )
        )
        return
    if status == "failed":
        code = post.last_error.code if post.last_error else None
        ctx.warnings.append(
            f"{address}: the post failed"
            + (f" ({code})" if code else "")
            + "; give the entry a new `id:` to post again"
        )
    elif moved:
        ctx.warnings.append(
            f"{address}: the post is already {status}; its new time "
            f"{instant_text(when, _timezone(ctx))} is not applied"
        )


def _stray(
    ctx: Ctx,
    key: str,
    owned: set[str | None],
    wanted: set[str | None],
    posts: Sequence[ScheduledPost],
) -> None:
    """Queued posts of this key's containers that no entry of the file asks for any more."""
    if not owned:
        return
    present = {bare_id(p.id) for p in posts}
    for post in sorted(posts, key=lambda p: p.id):
        if post.status != "queued" or bare_id(post.container_id) not in owned:
            continue
        if bare_id(post.id) in wanted:
            continue
        address = ctx.addr(
            "content", key, "schedule", *_post_suffix(ctx, key, post, present).split("/")
        )
        if address in ctx.fingerprints:
            address += f"~{post.id}"
        ctx.seen(address, _post_fact(post))
        ctx.add(
            ctx.step(
                address,
                StepKind.SCHEDULE,
                Action.CANCEL,
                changes=[Change(field="status", before="queued", after="canceled")],
                reason="no schedule entry of the file asks for this post",
                warnings=[
                    f"cancels the queued post {post.id}, due "
                    f"{instant_text(str(post.scheduled_for), _timezone(ctx))}"
                ],
                target=ctx.target(postId=post.id, platform=post.platform),
            )
        )


MAX_VARIANTS = 5


def _post_suffix(ctx: Ctx, key: str, post: ScheduledPost, present: set[str | None]) -> str:
    """The address tail the entry of a stray post had (`tiktok/v2`, its `id:`), when the post id
    shows it: an entry id recorded by apply, else the deterministic id of an entry without one.
    Else the platform alone (the caller adds `~POSTID` when that address is taken)."""
    platform = post.platform or "post"
    post_id = bare_id(post.id)
    record = (ctx.reserved.get("content") or {}).get(key) or {}
    entry_ids = record.get("entryIds") if isinstance(record, dict) else None
    if isinstance(entry_ids, dict):
        for known, entry_id in entry_ids.items():
            if bare_id(known) == post_id and isinstance(entry_id, str):
                return entry_id
    if ctx.pid is not None:
        for variant in range(1, MAX_VARIANTS + 1):
            if round_of(Entry(ctx.pid, key, platform, variant), post_id, present) is not None:
                return schedule_suffix(None, platform, variant)
    return platform


def _removed(ctx: Ctx, key: str, record: Any, posts: Sequence[ScheduledPost]) -> None:
    """Content removed from the file: its queued posts are canceled (containers stay)."""
    record = record if isinstance(record, dict) else {}
    ids = {bare_id(i) for i in record.get("containerIds") or []}
    queued = sorted(
        (p for p in posts if p.status == "queued" and bare_id(p.container_id) in ids),
        key=lambda p: p.id,
    )
    address = ctx.addr("content", key)
    ctx.seen(address, [_post_fact(p) for p in queued])
    if not queued:
        return
    ctx.add(
        ctx.step(
            address,
            StepKind.CONTENT,
            Action.CANCEL,
            changes=[
                Change(field=f"posts.{p.id}.status", before="queued", after="canceled")
                for p in queued
            ],
            reason=f"content {key!r} is no longer in the file",
            warnings=[f"cancels {len(queued)} queued post(s) of removed content {key!r}"],
            target=ctx.target(postIds=[p.id for p in queued]),
        )
    )
