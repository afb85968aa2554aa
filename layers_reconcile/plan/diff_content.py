"""The content stages of the diff: generate/regenerate, approval, schedules, cancels.

Each stage is a module of its own (`diff_generation`, `diff_generation_b`,
`diff_content_approval`, `diff_schedules`); this one walks the keys of the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.generation import Speaker, generation_request
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.diff_content_approval import diff_content_approval
from layers_reconcile.plan.diff_generation import generated, generation_a
from layers_reconcile.plan.diff_generation_b import generation_b
from layers_reconcile.plan.diff_schedules import diff_schedules, post_fact
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.model import Action, Change
from layers_reconcile.plan.targets import ContentTarget
from layers_reconcile.records import ScheduledPost


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
        if request.problems:
            continue  # no request of this revision can carry it out: config.revision refuses it
        if revision == "b":
            state = generation_b(ctx, key, spec, request, recorded.get(key), by_id)
        else:
            state = generation_a(ctx, key, spec, request, recorded.get(key), by_id)
        diff_content_approval(ctx, key, spec, state)
        diff_schedules(ctx, key, spec, state, posts)
    for key in sorted(set(recorded) - set(contents)):
        _removed(ctx, key, recorded[key], posts)


def speaker_of(ctx: Ctx, spec: ContentSpec) -> Speaker:
    """Who speaks in content `spec`: its `account:`'s connected account, else the customer's
    pinned influencer (None until known)."""
    pinned = ctx.reserved.get("influencerId")
    return Speaker(
        influencer=ctx.spec.influencer is not None,
        influencer_id=pinned if isinstance(pinned, str) else None,
        social_account_id=ctx.accounts.get(spec.account) if spec.account else None,
    )


def _removed(ctx: Ctx, key: str, record: Any, posts: Sequence[ScheduledPost]) -> None:
    """Content removed from the file: its queued posts are canceled (containers stay)."""
    ids = {bare_id(i) for i in generated(record, {}).ids}
    queued = sorted(
        (p for p in posts if p.status == "queued" and bare_id(p.container_id) in ids),
        key=lambda p: p.id,
    )
    address = ctx.addr("content", key)
    ctx.seen(address, [post_fact(p) for p in queued])
    if not queued:
        return
    ctx.add(
        ctx.step(
            address,
            Action.CANCEL,
            ContentTarget(projectId=ctx.pid, postIds=[p.id for p in queued]),
            changes=[
                Change(field=f"posts.{p.id}.status", before="queued", after="canceled")
                for p in queued
            ],
            reason=f"content {key!r} is no longer in the file",
            warnings=[f"cancels {len(queued)} queued post(s) of removed content {key!r}"],
        )
    )
