"""What apply reports while it works, and what it reports when it is done.

The executor emits these events to one callback; `render.progress` shows them. The outcome types
are plain data so the CLI can map them to exit codes and a summary without knowing the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from layers_reconcile.plan.model import Action


class CustomerStatus(StrEnum):
    CONVERGED = "converged"
    WAITING = "waiting"  # not converged only because people have not acted yet
    FAILED = "failed"
    STALE = "stale"  # refused: the saved plan no longer matches actual state
    NOT_REVIEWED = "not reviewed"  # apply --reviewed held back every step left to do


@dataclass(frozen=True)
class Failure:
    """Why a step failed, with what the API said and what the guide says to do about it."""

    address: str
    message: str
    code: str | None = None
    status: int | None = None
    request_id: str | None = None
    recovery: str | None = None
    job_id: str | None = None
    retryable: bool = False  # the API failed or was unreachable: the same round may try again


@dataclass(frozen=True)
class PersonWait:
    """A person-gated step still open at the end of the run."""

    address: str
    kind: str  # github_install | social_oauth | content_approval
    url: str | None
    message: str
    expires_at: str | None = None  # when `url` stops working (the API's expiresAt)


@dataclass
class CustomerOutcome:
    customer: str
    status: CustomerStatus
    project_id: str | None = None
    done: list[str] = field(default_factory=list)  # "address action" of every executed step
    failure: Failure | None = None
    waits: list[PersonWait] = field(default_factory=list)
    stale_addresses: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    published: dict[str, str] = field(default_factory=dict)  # post address -> final status
    # "address action" of each step apply --reviewed held back: the reviewed plan lacks it.
    not_reviewed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.done)


@dataclass
class ApplyReport:
    outcomes: list[CustomerOutcome] = field(default_factory=list)
    elapsed: float = 0.0
    # Customers of the run that had nothing to do (they match their files), and those that
    # --changed-since skipped: not in `outcomes`, counted so a summary shows the whole run.
    unchanged: int = 0
    # customerExternalIds of the orphans `--prune` left to a later run (`--max-archives`): the
    # run is not done (exit 1), so a CI run that records what it applied records nothing.
    held_orphans: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[CustomerOutcome]:
        return [
            o
            for o in self.outcomes
            if o.status in (CustomerStatus.FAILED, CustomerStatus.STALE)
            or (o.status is CustomerStatus.NOT_REVIEWED)
        ]

    @property
    def not_reviewed(self) -> list[tuple[str, str]]:
        """(customer, "address action") of every step held back as not reviewed."""
        return [(o.customer, step) for o in self.outcomes for step in o.not_reviewed]

    @property
    def waiting(self) -> list[CustomerOutcome]:
        return [o for o in self.outcomes if o.status is CustomerStatus.WAITING]

    @property
    def converged(self) -> bool:
        return all(o.status is CustomerStatus.CONVERGED for o in self.outcomes)

    @property
    def changed(self) -> bool:
        return any(o.changed for o in self.outcomes)


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerStarted:
    customer: str


@dataclass(frozen=True)
class StepStarted:
    customer: str
    address: str
    action: Action
    description: str = ""


@dataclass(frozen=True)
class StepFinished:
    customer: str
    address: str
    action: Action
    detail: str = ""


@dataclass(frozen=True)
class StepFailed:
    customer: str
    failure: Failure


@dataclass(frozen=True)
class JobProgress:
    customer: str
    address: str
    job_id: str
    stage: str | None
    percent: float | None  # 0..100
    elapsed: float
    expected: float | None


@dataclass(frozen=True)
class WaitingOnPerson:
    customer: str
    wait: PersonWait


@dataclass(frozen=True)
class PersonDone:
    customer: str
    address: str
    detail: str = ""


@dataclass(frozen=True)
class PostStatus:
    """--wait-for-publish: a scheduled post changed status."""

    customer: str
    address: str
    post_id: str
    status: str
    url: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class CustomerFinished:
    outcome: CustomerOutcome


ApplyEvent = (
    CustomerStarted
    | StepStarted
    | StepFinished
    | StepFailed
    | JobProgress
    | WaitingOnPerson
    | PersonDone
    | PostStatus
    | CustomerFinished
)

EventSink = Callable[[ApplyEvent], None]


def ignore_events(_event: ApplyEvent) -> None:
    """The default sink: apply works the same with nobody watching."""
