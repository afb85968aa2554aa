"""--wait-for-publish: watch the file's scheduled posts until each publishes or fails."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.events import Failure, PostStatus
from layers_reconcile.instants import iso_instant
from layers_reconcile.plan.ids import bare_id, parse_instant, schedule_suffix
from layers_reconcile.plan.rounds import Entry, rounds
from layers_reconcile.records import ScheduledPost
from layers_reconcile.statuses import POST_DONE

MAX_SLEEP = 300.0

# Without --timeout, posts due within this long of the start are waited for; later ones are
# reported as not watched (a post for next year must not keep apply running).
HORIZON = timedelta(hours=1)


def wanted_posts(
    ctx: CustomerContext,
    project_id: str,
    posts: Sequence[ScheduledPost],
    containers: Mapping[str, Collection[str | None]],
) -> dict[str, str]:
    """bare post id → the schedule entry's address: for each entry of the file, its newest post
    (plan.rounds: round 0's id when it has none yet; a post on a container the key's record no
    longer names is not it). `containers`: content key → the bare ids of its recorded containers."""
    statuses = {bare_id(p.id): p.status for p in posts}
    out: dict[str, str] = {}
    for key, content in sorted((ctx.spec.content or {}).items()):
        owned = containers.get(key) or ()
        replaced = {bare_id(p.id) for p in posts if owned and bare_id(p.container_id) not in owned}
        for entry in content.schedule:
            made = Entry(project_id, key, entry.account, entry.variant, entry.id)
            current = rounds(made, statuses, replaced).latest
            suffix = schedule_suffix(entry.id, entry.account, entry.variant)
            out[str(bare_id(current))] = f"{ctx.customer}/content/{key}/schedule/{suffix}"
    return out


def watch_until(ctx: CustomerContext) -> datetime:
    """Posts due after this are not waited for: the end of --timeout, else HORIZON from now."""
    timeout = ctx.options.seconds_left()
    return ctx.options.now() + (timedelta(seconds=timeout) if timeout is not None else HORIZON)


def recorded_containers(reserved: Mapping[str, Any]) -> dict[str, set[str | None]]:
    """content key → the bare ids of the containers the reserved record names for it."""
    content = reserved.get("content")
    out: dict[str, set[str | None]] = {}
    for key, record in (content if isinstance(content, dict) else {}).items():
        ids = record.get("containerIds") if isinstance(record, dict) else None
        out[str(key)] = {bare_id(str(i)) for i in ids or []}
    return out


async def watch(ctx: CustomerContext) -> tuple[dict[str, str], Failure | None]:
    """Final status per post address, and the first failed post (if any)."""
    project_id = ctx.require_project()
    until = watch_until(ctx)
    seen: dict[str, str] = {}
    failure: Failure | None = None
    if not any(c.schedule for c in (ctx.spec.content or {}).values()):
        return seen, None
    containers = recorded_containers(await ctx.reserved())
    async with ctx.slot.waiting():
        while True:
            posts = await ctx.api.list_scheduled_posts(project_id)
            wanted = wanted_posts(ctx, project_id, posts, containers)
            open_due: list[datetime] = []
            for post in posts:
                address = wanted.get(str(bare_id(post.id)))
                if address is None:
                    continue
                status = post.status_sent or str(post.status)  # a newer status as sent
                due = parse_instant(post.scheduled_for)
                if status not in POST_DONE and due is not None and due > until:
                    seen[address] = (
                        f"{status}, due {iso_instant(due)}: after the wait ends, not watched"
                    )
                    continue
                error = post.last_error
                if seen.get(address) != status:
                    seen[address] = status
                    message = None
                    if error is not None:
                        message = f"{error.code}: {error.message}"
                    ctx.emit(
                        PostStatus(
                            customer=ctx.customer,
                            address=address,
                            post_id=post.id,
                            status=status,
                            url=post.external_url,
                            error=message,
                        )
                    )
                    if status == "failed" and failure is None:
                        failure = Failure(
                            address=address,
                            message=f"the post failed: {message or 'no error given'}",
                            code=error.code if error is not None else None,
                            recovery="fix the account or media, then give the entry a new id: to post again",
                        )
                if status not in POST_DONE and due is not None:
                    open_due.append(due)
            if not open_due:
                return seen, failure
            wait = (min(open_due) - ctx.options.now()).total_seconds()
            await ctx.options.sleep(min(MAX_SLEEP, max(ctx.options.publish_poll_interval, wait)))
