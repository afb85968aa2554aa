"""Post rounds: which of a schedule entry's deterministic post ids is its post now.

An entry's first post has the id of round 0 (`ids.post_id_for`). When that post is canceled (by
this tool or by anyone) and the file still asks for the entry, it is posted again under round 1,
and so on. Round n + 1 is only ever made once round n's post exists and is canceled, so the posts
of one entry are a chain from round 0: all canceled but the last. Walking that chain over the
project's posts needs no bound: the chain is never longer than the posts.

A post on a replaced container (the entry's content generated anew: new format or variants)
ends its round as a canceled one does: the entry is posted again on the new container under the
next round's id (the old id belongs to the old container, and the API holds a `scheduledPostId`
to one container). The plan cancels such a post while it is queued, before or after the new one
is made: either way the chain walks on from it.

Plan (the schedule step's post id, naming a stray post), apply (`--wait-for-publish`) and import
(tracing a post back to its entry) all read rounds through this module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from layers_reconcile.plan.ids import bare_id, post_id_for


@dataclass(frozen=True)
class Entry:
    """What a schedule entry's post ids are made of (`ids.post_id_for`)."""

    project_id: str
    key: str
    account: str
    variant: int
    entry_id: str | None = None

    def post_id(self, number: int) -> str:
        """The post id of round `number`."""
        return post_id_for(
            self.project_id, self.key, self.account, self.variant, self.entry_id, round=number
        )


@dataclass(frozen=True)
class Rounds:
    """Where an entry's chain of posts stands."""

    number: int  # the current round: the first whose post does not exist or is not canceled
    post_id: str  # its post id: the entry's live post, or the one to post next
    previous: str | None  # the post id of round number - 1 (a canceled post), None in round 0
    latest: str  # the newest post the entry has (round 0's id when it has none yet)


def rounds(
    entry: Entry, statuses: Mapping[str | None, object], replaced: Collection[str | None] = ()
) -> Rounds:
    """The entry's current round, given the project's posts as bare post id → status.

    `replaced`: the bare ids of posts on a container the entry's content no longer posts (their
    round is over whatever their status)."""
    previous: str | None = None
    for number in range(len(statuses) + 1):  # more rounds than posts: one of them is free
        post_id = entry.post_id(number)
        bare = bare_id(post_id)
        found = bare in statuses
        over = found and (statuses[bare] == "canceled" or bare in replaced)
        if not over:
            latest = post_id if found or previous is None else previous
            return Rounds(number=number, post_id=post_id, previous=previous, latest=latest)
        previous = post_id
    raise AssertionError("unreachable")  # pragma: no cover


def round_of(entry: Entry, post_id: object, present: Collection[str | None]) -> int | None:
    """The round of the entry whose post `post_id` is, None when it is not the entry's.

    `present`: the bare ids of the project's posts. Round n + 1 is tried only when round n's
    post exists, so the walk ends within the chain."""
    wanted = bare_id(post_id)
    for number in range(len(present) + 1):
        made = bare_id(entry.post_id(number))
        if made == wanted:
            return number
        if made not in present:
            return None
    return None
