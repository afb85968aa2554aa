"""How one apply run behaves: explicit values passed down, never read from the environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from layers_reconcile.apirevision import Pin
from layers_reconcile.apply.poll import SYSTEM_CLOCK, SYSTEM_SLEEP, Clock, Sleep
from layers_reconcile.plan.model import Step


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApplyOptions:
    workspace: str | None = None  # the name stamped in the reserved key ("workspace")
    parallelism: int = 8
    wait_for_people: float = 0.0  # seconds a person-gated step may stay open before exit 3
    timeout: float | None = None  # seconds for the whole run; None = no limit
    # The end of the run on `clock` (apply's --timeout counts from the command's start, planning
    # included); None: `timeout` from the start of execute().
    deadline: float | None = None
    wait_for_publish: bool = False
    # How often an open person gate (install, OAuth, approval) is checked.
    person_poll_interval: float = 2.0
    # How often --wait-for-publish looks at the posts.
    publish_poll_interval: float = 5.0
    # Documented job durations are divided by this (the embedded emulator's --speed), so job
    # polling keeps its shape when jobs run faster than the docs say.
    job_time_scale: float = 1.0
    # Rounds of observe → execute per customer before giving up as "not converging".
    max_rounds: int = 40
    # The workspace whose stamped projects this run may take over (--take-over).
    take_over: str | None = None
    # The API revision asked for (--api-revision, else layers.yaml); None: layers.yaml's.
    revision: Pin | None = None
    # `apply --reviewed`: whether a step may run (False: held back as not reviewed). None: all.
    reviewed: Callable[[Step], bool] | None = None
    now: Callable[[], datetime] = field(default=_utcnow)
    # Monotonic seconds and the sleep every wait of the run uses (tests pass a manual clock).
    clock: Clock = field(default=SYSTEM_CLOCK)
    sleep: Sleep = field(default=SYSTEM_SLEEP)

    def ends_at(self) -> float | None:
        """The run's end on `clock`: `deadline`, else `timeout` from now (None: no limit)."""
        if self.deadline is not None or self.timeout is None:
            return self.deadline
        return self.clock() + self.timeout

    def seconds_left(self) -> float | None:
        """Until the run's end (None: no limit)."""
        if self.deadline is not None:
            return max(0.0, self.deadline - self.clock())
        return self.timeout
