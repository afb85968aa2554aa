"""The schedule stage of the diff: schedule, reschedule and cancel the posts of a content key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from layers_reconcile.config.content import ContentSpec, ScheduleSpec
from layers_reconcile.config.times import instant_text, resolve_at
from layers_reconcile.instants import iso_instant
from layers_reconcile.plan.context import Ctx, requires_approval
from layers_reconcile.plan.diff_generation import ContentState
from layers_reconcile.plan.ids import CANCELED_KEY, bare_id, parse_instant, schedule_suffix
from layers_reconcile.plan.model import Action, Change, Step
from layers_reconcile.plan.rounds import Entry, Rounds, round_of, rounds
from layers_reconcile.plan.targets import ScheduleTarget
from layers_reconcile.records import ScheduledPost, ScheduleIntent
from layers_reconcile.revb import wire_mode

SOON = timedelta(hours=1)


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


def post_fact(post: ScheduledPost | None) -> Any:
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


@dataclass(frozen=True)
class _KeyPosts:
    """What the schedule entries of one content key are compared with."""

    state: ContentState
    current: set[str | None]  # the containers whose posts count (none: generated anew)
    by_id: Mapping[str | None, ScheduledPost]
    # Posts on a container the key no longer posts (plan.rounds: their round is over).
    replaced: set[str | None]
    # Schedules asked for while the content was pending wait on the container as intents.
    intents: Mapping[str | None, ScheduleIntent]
    gated: bool  # a new post waits on the content approval


def diff_schedules(
    ctx: Ctx, key: str, spec: ContentSpec, state: ContentState, posts: Sequence[ScheduledPost]
) -> None:
    """Each entry's post is scheduled or moved; queued posts no entry asks for are canceled."""
    owned = {bare_id(i) for i in state.container_ids}
    anew = state.mode == "anew"
    current = set() if anew else owned
    known = _KeyPosts(
        state=state,
        current=current,
        by_id={bare_id(p.id): p for p in posts},
        # Only when the key's containers are known: a post elsewhere is on a replaced one.
        replaced={
            bare_id(p.id)
            for p in posts
            if (anew or owned) and bare_id(p.container_id) not in current
        },
        intents={
            bare_id(i.scheduled_post_id): i
            for c in ([] if anew else state.containers)
            for i in c.pending_schedule_intents
        },
        gated=requires_approval(ctx) and not spec.approve,
    )
    wanted: set[str | None] = set()
    left: set[str | None] = set()
    for entry in spec.schedule:
        chain = _diff_entry(ctx, key, entry, known)
        if chain is not None:
            wanted.add(bare_id(chain.post_id))
            left |= _left_queued(ctx, key, entry, chain, known)
    _stray(ctx, key, owned, set() if anew else wanted, posts, left, known.replaced)


def _diff_entry(ctx: Ctx, key: str, entry: ScheduleSpec, known: _KeyPosts) -> Rounds | None:
    """Plan one schedule entry; where its posts stand (None while the project does not exist)."""
    chain = None if ctx.pid is None else _chain(ctx.pid, key, entry, known)
    _plan_entry(ctx, _entry_address(ctx, key, entry), entry, chain, known)
    return chain


def _left_queued(
    ctx: Ctx, key: str, entry: ScheduleSpec, chain: Rounds, known: _KeyPosts
) -> set[str | None]:
    """The entry's own posts of earlier rounds still queued on a replaced container (an apply
    stopped before it canceled them): the ids are this entry's, so the posts are this tool's."""
    assert ctx.pid is not None
    made = Entry(ctx.pid, key, entry.account, entry.variant, entry.id)
    out: set[str | None] = set()
    for number in range(chain.number):
        post = known.by_id.get(bare_id(made.post_id(number)))
        if post is not None and post.status == "queued" and bare_id(post.id) in known.replaced:
            out.add(bare_id(post.id))
    return out


def _plan_entry(
    ctx: Ctx, address: str, entry: ScheduleSpec, chain: Rounds | None, known: _KeyPosts
) -> None:
    when = resolve_at(entry.at, _timezone(ctx))
    post_id = None if chain is None else chain.post_id
    post = known.by_id.get(bare_id(post_id)) if post_id else None
    if post is not None and bare_id(post.container_id) not in known.current:
        post = None  # it belongs to a replaced container
    intent = known.intents.get(bare_id(post_id)) if post is None and post_id else None
    ctx.seen(
        address,
        None if ctx.pid is None else {"post": post_fact(post), "intent": _intent_fact(intent)},
    )
    if intent is not None and parse_instant(intent.scheduled_for) == when:
        return  # held until the content is approved, then it becomes this very post
    if post is not None:
        _existing(ctx, address, entry, when, post)
        return
    outside = None if chain is None else _canceled_outside(ctx, chain, known.by_id)
    if outside is not None:
        ctx.seen(address, {"canceled": post_fact(outside), "restore": entry.restore})
        if not entry.restore:
            _left_canceled(ctx, address, outside)
            return
    replaced = chain is not None and bare_id(chain.previous) in known.replaced
    reason = _new_post_reason(entry, chain, outside, gated=known.gated, replaced=replaced)
    container = _container_of(known.state, entry)
    ctx.add(_new_post(ctx, address, entry, when, post_id, container, reason))


def _container_of(state: ContentState, entry: ScheduleSpec) -> str | None:
    """The container the entry's variant posts (None: known after apply)."""
    if state.mode in ("done", "running", "regen") and entry.variant <= len(state.container_ids):
        return state.container_ids[entry.variant - 1]
    return None


def _left_canceled(ctx: Ctx, address: str, outside: ScheduledPost) -> None:
    """Someone canceled the entry's post outside this workspace: drift, left as it is."""
    when_canceled = outside.canceled_at or outside.updated_at
    at = f" at {instant_text(str(when_canceled), _timezone(ctx))}" if when_canceled else ""
    ctx.warnings.append(
        f"{address}: drift: the post was canceled outside this workspace{at}; apply "
        "leaves it canceled. Remove the entry from the file to agree, or add "
        "`restore: true` to the entry to post it again"
    )


def _new_post_reason(
    entry: ScheduleSpec,
    chain: Rounds | None,
    outside: ScheduledPost | None,
    *,
    gated: bool,
    replaced: bool,
) -> str:
    reason = f"no post for variant {entry.variant} on {entry.account} yet"
    if outside is not None:
        reason = "the post was canceled outside this workspace; restore: true posts it again"
    elif replaced:
        reason = "the previous post is on replaced content: posted again on the new content"
    elif chain is not None and chain.number:
        reason = "the previous post was canceled"
    if gated:
        reason += "; it waits on the content approval"
    return reason


def _new_post(
    ctx: Ctx,
    address: str,
    entry: ScheduleSpec,
    when: datetime,
    post_id: str | None,
    container: str | None,
    reason: str,
) -> Step:
    mode = wire_mode(entry.mode, ctx.revision)
    caption = entry.captionOverride
    target = ScheduleTarget(
        projectId=ctx.pid,
        containerId=container,
        postId=post_id,
        platform=entry.account,
        socialAccountId=ctx.accounts.get(entry.account),
        scheduledFor=iso_instant(when),
        mode=mode,
        captionOverride=caption or None,
    )
    return ctx.step(
        address,
        Action.SCHEDULE,
        target,
        changes=[
            Change(field="scheduledFor", before=None, after=iso_instant(when)),
            Change(field="mode", before=None, after=mode),
            *([Change(field="captionOverride", before=None, after=caption)] if caption else []),
        ],
        reason=reason,
        warnings=_time_warnings(ctx, when),
    )


def _chain(pid: str, key: str, entry: ScheduleSpec, known: _KeyPosts) -> Rounds:
    """Where the entry's posts stand: an entry whose post was canceled, or sits on a replaced
    container, is posted again under the next round's id when it is asked for again (see
    `_canceled_outside` for who canceled it)."""
    statuses = {post_id: post.status for post_id, post in known.by_id.items()}
    made = Entry(pid, key, entry.account, entry.variant, entry.id)
    return rounds(made, statuses, known.replaced)


def _canceled_outside(
    ctx: Ctx, chain: Rounds, by_id: Mapping[str | None, ScheduledPost]
) -> ScheduledPost | None:
    """The entry's last post when someone else canceled it (not this tool: apply records the
    posts it cancels in the reserved key), else None."""
    if chain.previous is None:
        return None
    post = by_id.get(bare_id(chain.previous))
    if post is None or post.status != "canceled":
        return None  # not canceled: its container was replaced
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
                Action.RESCHEDULE,
                ScheduleTarget(
                    projectId=ctx.pid,
                    postId=post.id,
                    platform=entry.account,
                    scheduledFor=iso_instant(when),
                ),
                changes=[
                    Change(
                        field="scheduledFor",
                        before=post.scheduled_for,
                        after=iso_instant(when),
                    )
                ],
                warnings=_time_warnings(ctx, when),
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
    left: set[str | None],
    replaced: set[str | None],
) -> None:
    """Queued posts of this key's containers that no entry of the file asks for any more, and
    the entries' own posts `left` queued on containers the key no longer has (`replaced`: the
    posts on such containers, which the new content takes over)."""
    if not owned and not left:
        return
    present = {bare_id(p.id) for p in posts}
    for post in sorted(posts, key=lambda p: p.id):
        if post.status != "queued":
            continue
        if bare_id(post.container_id) not in owned and bare_id(post.id) not in left:
            continue
        if bare_id(post.id) in wanted:
            continue
        address = ctx.addr(
            "content", key, "schedule", *_post_suffix(ctx, key, post, present).split("/")
        )
        if address in ctx.fingerprints:
            address += f"~{post.id}"
        ctx.seen(address, post_fact(post))
        ctx.add(
            ctx.step(
                address,
                Action.CANCEL,
                ScheduleTarget(projectId=ctx.pid, postId=post.id, platform=post.platform),
                changes=[Change(field="status", before="queued", after="canceled")],
                reason=(
                    "its content is replaced: a queued post of the old content is canceled"
                    if bare_id(post.id) in replaced
                    else "no schedule entry of the file asks for this post"
                ),
                warnings=[
                    f"cancels the queued post {post.id}, due "
                    f"{instant_text(str(post.scheduled_for), _timezone(ctx))}"
                ],
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
