"""The stage order and the waits between steps: one table that plan's sort and apply's runs use."""

from __future__ import annotations

from layers_reconcile.plan.model import Action, Step, StepKind
from layers_reconcile.plan.stages import (
    PREREQUISITES,
    STAGE_ORDER,
    blocked_by,
    held_back,
    held_by_people,
    marker,
    prerequisites,
)

C = "quinn-coffee-001"


def step(address: str, kind: StepKind, action: Action, **target: str) -> Step:
    return Step(address=f"{C}/{address}", kind=kind, action=action, target=target)


def test_every_kind_has_its_waits_and_only_waits_on_earlier_stages() -> None:
    assert set(PREREQUISITES) == set(StepKind)
    for kind, waits in PREREQUISITES.items():
        assert all(STAGE_ORDER.index(w) < STAGE_ORDER.index(kind) for w, _ in waits), kind


def test_a_new_post_waits_for_its_own_content_and_its_platform_only() -> None:
    post = step(
        "content/hook/schedule/tiktok", StepKind.SCHEDULE, Action.SCHEDULE, platform="tiktok"
    )
    other_content = step("content/other", StepKind.CONTENT, Action.RUN_JOB)
    own_content = step("content/hook", StepKind.CONTENT, Action.RUN_JOB)
    instagram = step(
        "social/instagram", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="instagram"
    )
    tiktok = step("social/tiktok", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="tiktok")
    deps = prerequisites(C, post)

    def waits_on(*unfinished: Step) -> bool:
        pending = {marker(C, s) for s in unfinished}
        return any(blocked_by(d, pending) for d in deps)

    assert not waits_on(other_content, instagram)
    assert waits_on(own_content)
    assert waits_on(tiktok)


def test_a_moved_post_does_not_wait_for_a_consent() -> None:
    moved = step(
        "content/hook/schedule/tiktok", StepKind.SCHEDULE, Action.RESCHEDULE, platform="tiktok"
    )
    tiktok = step("social/tiktok", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="tiktok")
    assert not any(blocked_by(d, {marker(C, tiktok)}) for d in prerequisites(C, moved))


def test_a_hold_carries_over_to_every_step_that_waits_on_it_and_no_other() -> None:
    """One walk for apply's runnable steps and plan's person-held ones (they were two copies)."""
    post = step(
        "content/hook/schedule/tiktok", StepKind.SCHEDULE, Action.SCHEDULE, platform="tiktok"
    )
    other = step("content/b/schedule/ig", StepKind.SCHEDULE, Action.SCHEDULE, platform="instagram")
    tiktok = step("social/tiktok", StepKind.SOCIAL, Action.WAIT_ON_PERSON, platform="tiktok")
    content = step("content/hook", StepKind.CONTENT, Action.RUN_JOB)
    steps = [post, other, content, tiktok]
    assert held_by_people(C, steps) == [tiktok, post]
    free, held = held_back(C, steps, lambda s: s is content)
    assert (free, held) == ([tiktok, other], [content, post])
