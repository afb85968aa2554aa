"""Post rounds (plan.rounds): the one rule plan, `--wait-for-publish` and import share.

The copies it replaced disagreed past their loop bounds: plan named a stray post only in its
first 8 rounds, apply watched and import traced back only the first 100; the chain has none."""

from __future__ import annotations

import pytest

from layers_reconcile.apply.importer import _schedule
from layers_reconcile.plan.ids import RESERVED_KEY, bare_id
from layers_reconcile.plan.model import Action
from layers_reconcile.plan.rounds import Entry, round_of, rounds
from layers_reconcile.plan.targets import ScheduleTarget
from layers_reconcile.records import ScheduledPost
from tests.plan.builders import changed, converged, loaded
from tests.plan.test_diff import _two_entries, plan_of

ENTRY = Entry("6f1c2b7e-0000-4000-8000-000000000001", "launch", "tiktok", 2, None)
OTHER = Entry(ENTRY.project_id, "launch", "tiktok", 1, None)


def chain(canceled: int, last: str | None) -> dict[str | None, object]:
    """The project's posts: the entry's first `canceled` rounds canceled, then one in `last`."""
    posts: dict[str | None, object] = {
        bare_id(ENTRY.post_id(n)): "canceled" for n in range(canceled)
    }
    if last is not None:
        posts[bare_id(ENTRY.post_id(canceled))] = last
    posts[bare_id(OTHER.post_id(0))] = "queued"  # another entry's post is no round of this one
    return posts


@pytest.mark.parametrize(
    ("canceled", "last", "number", "latest"),
    [
        (0, None, 0, 0),  # nothing posted yet: round 0 is to post
        (0, "queued", 0, 0),
        (0, "published", 0, 0),  # a post that went out stays the entry's post
        (1, None, 1, 0),  # canceled, not posted again: watch the canceled one, post round 1
        (1, "queued", 1, 1),
        (8, "queued", 8, 8),
        (99, None, 99, 98),
        (120, "queued", 120, 120),  # past the 100 rounds apply and import used to look at
        (120, None, 120, 119),
    ],
)
def test_the_current_round_is_the_first_post_not_canceled(
    canceled: int, last: str | None, number: int, latest: int
) -> None:
    found = rounds(ENTRY, chain(canceled, last))
    assert found.number == number
    assert found.post_id == ENTRY.post_id(number)
    assert found.previous == (ENTRY.post_id(number - 1) if number else None)
    assert found.latest == ENTRY.post_id(latest)


@pytest.mark.parametrize("status", ["queued", "published", "failed"])
def test_a_post_on_a_replaced_container_ends_its_round(status: str) -> None:
    # The entry's content was generated anew: its post on the old container, whatever its
    # status, is no longer its post; the next round's id is posted on the new container.
    posts = chain(1, status)
    old = bare_id(ENTRY.post_id(1))
    found = rounds(ENTRY, posts, replaced={old})
    assert (found.number, found.previous, found.latest) == (2, ENTRY.post_id(1), ENTRY.post_id(1))
    posts[bare_id(ENTRY.post_id(2))] = "queued"  # posted again: the chain walks on from it
    assert rounds(ENTRY, posts, replaced={old}).latest == ENTRY.post_id(2)
    assert rounds(ENTRY, posts).number == 1  # without it, the old post is still the entry's


@pytest.mark.parametrize("number", [0, 1, 7, 8, 99, 100, 130])
def test_a_post_on_the_chain_is_traced_back_to_its_round(number: int) -> None:
    present = set(chain(number, "queued"))
    assert round_of(ENTRY, ENTRY.post_id(number), present) == number
    assert round_of(ENTRY, "sp_" + ENTRY.post_id(number), present) == number  # prefixed form


def test_a_post_off_the_chain_is_not_the_entrys() -> None:
    present = set(chain(3, "queued"))
    assert round_of(ENTRY, OTHER.post_id(0), present) is None
    assert round_of(ENTRY, "sp_somebody-elses-post", present) is None
    # Round 5 is only ever made after round 4 was: without it, the id is not this entry's post.
    assert round_of(ENTRY, ENTRY.post_id(5), present) is None


def _entry_posts(actual_posts: list[ScheduledPost], entry: Entry, canceled: int) -> None:
    """Replace the entry's round-0 post by `canceled` canceled rounds and a queued one."""
    (first,) = [p for p in actual_posts if bare_id(p.id) == bare_id(entry.post_id(0))]
    actual_posts.remove(first)
    for number in range(canceled + 1):
        status = "canceled" if number < canceled else "queued"
        actual_posts.append(changed(first, id=entry.post_id(number), status=status))


def test_plan_names_a_stray_post_after_many_rounds_by_its_entry() -> None:
    """A variant-2 entry canceled and put back 9 times, then removed from the file: the cancel
    is at `…/schedule/tiktok/v2` (it was `tiktok~POSTID`: plan looked at 8 rounds only)."""
    both = _two_entries(second={"account": "tiktok", "variant": 2})
    actual = converged(loaded(both).spec)
    assert actual.project is not None
    assert actual.scheduled_posts is not None
    entry = Entry(actual.project.id, "k", "tiktok", 2)
    _entry_posts(actual.scheduled_posts, entry, canceled=9)
    assert actual.project.metadata is not None
    reserved = actual.project.metadata[RESERVED_KEY]
    reserved["canceledPosts"] = [bare_id(entry.post_id(n)) for n in range(9)]
    assert plan_of(both, actual).steps == []  # converged: the live post is round 9
    only_first = _two_entries(second={"account": "tiktok"})
    only_first["content"]["k"]["schedule"].pop()
    (step,) = plan_of(only_first, actual).steps
    assert (step.address, step.action) == ("c-1/content/k/schedule/tiktok/v2", Action.CANCEL)
    assert isinstance(step.target, ScheduleTarget)
    assert step.target.postId == entry.post_id(9)


def test_import_writes_back_an_entry_posted_again_after_many_rounds() -> None:
    """The live post of an entry canceled and put back 120 times is still the tool's post (import
    looked at 100 rounds and called it 'not scheduled by this tool')."""
    both = _two_entries(second={"account": "tiktok", "variant": 2})
    actual = converged(loaded(both).spec)
    assert actual.project is not None
    assert actual.scheduled_posts is not None
    pid = actual.project.id
    _entry_posts(actual.scheduled_posts, Entry(pid, "k", "tiktok", 2), canceled=120)
    assert actual.project.metadata is not None
    record = actual.project.metadata[RESERVED_KEY]["content"]["k"]
    notes: list[str] = []
    written = _schedule(pid, "k", record["containerIds"], record, actual.scheduled_posts, notes)
    assert notes == []
    assert [(e["account"], e.get("variant", 1)) for e in written] == [
        ("tiktok", 1),
        ("tiktok", 2),
    ]
