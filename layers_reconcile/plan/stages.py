"""The order of the stages and what each step waits for: the one place both sides read.

The diff sorts a customer's steps with `stage_of`; apply runs a step once none of the
markers `prerequisites` names is still unfinished (PRODUCT.md §6, guide steps 1-10).

The kill switch is ordered by what it does: a resume runs before any step inside the child
(its first stage), a suspend after every other step of its customer (a stage of its own, last,
waiting for every other kind): the API may answer the parent key inside a suspended child with
`503 KILL_SWITCH` (CONTRACT-revb §10), so nothing may be left to do in there once it runs.

A marker is `(kind, qualifier)`: the qualifier narrows a dependency to the same content key
(content -> its approval -> its schedule) or the same platform (a schedule waits for the
consent of its account's platform); None matches every step of that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from layers_reconcile.plan.address import Address
from layers_reconcile.plan.model import Action, Step, StepKind
from layers_reconcile.plan.targets import platform_of

# Within one customer the stages run in this order (the enum's order; the plan lists them so).
STAGE_ORDER: tuple[StepKind, ...] = tuple(StepKind)
_INDEX = {kind: i for i, kind in enumerate(STAGE_ORDER)}

Marker = tuple[StepKind, str | None]


class Scope(Enum):
    ANY = "any"  # every step of that kind
    SAME_KEY = "same content key"
    SAME_PLATFORM = "same platform"


_P, _G, _I = StepKind.PROJECT, StepKind.GITHUB, StepKind.INGEST
_BEFORE_CONTENT = ((_P, Scope.ANY), (_G, Scope.ANY), (_I, Scope.ANY))
_READY_TO_GENERATE = (
    *_BEFORE_CONTENT,
    (StepKind.TRANSFER, Scope.ANY),  # a child spends only what its wallet holds
    (StepKind.BRAND, Scope.ANY),
    (StepKind.INFLUENCER, Scope.ANY),
)

# What each kind of step waits for. Ingest rewrites the brand context and makes influencers,
# so brand and influencer wait for it; content waits for all of them.
PREREQUISITES: dict[StepKind, tuple[tuple[StepKind, Scope], ...]] = {
    StepKind.ORGANIZATION: (),
    StepKind.TRANSFER: ((StepKind.ORGANIZATION, Scope.ANY),),
    # Inside a child organization, the project needs the child (created or migrated into).
    StepKind.PROJECT: ((StepKind.ORGANIZATION, Scope.ANY),),
    StepKind.APPROVAL: ((_P, Scope.ANY),),
    StepKind.GITHUB: ((_P, Scope.ANY),),
    StepKind.SOCIAL: ((_P, Scope.ANY),),
    StepKind.INGEST: ((_P, Scope.ANY), (_G, Scope.ANY)),
    StepKind.BRAND: _BEFORE_CONTENT,
    StepKind.INFLUENCER: _BEFORE_CONTENT,
    StepKind.CONTENT: _READY_TO_GENERATE,
    StepKind.CONTENT_APPROVAL: (*_READY_TO_GENERATE, (StepKind.CONTENT, Scope.SAME_KEY)),
    StepKind.SCHEDULE: (
        *_READY_TO_GENERATE,
        (StepKind.CONTENT, Scope.SAME_KEY),
        (StepKind.CONTENT_APPROVAL, Scope.SAME_KEY),
    ),
}
# Extra waits of one action: a new post needs its platform's account connected, and so does a
# Rev B generation that speaks through an account (its target names the platform; else none).
ACTION_PREREQUISITES: dict[tuple[StepKind, Action], tuple[tuple[StepKind, Scope], ...]] = {
    (StepKind.SCHEDULE, Action.SCHEDULE): ((StepKind.SOCIAL, Scope.SAME_PLATFORM),),
    (StepKind.CONTENT, Action.RUN_JOB): ((StepKind.SOCIAL, Scope.SAME_PLATFORM),),
    # The kill switch waits for every other step of its customer (see the module's doc).
    (StepKind.ORGANIZATION, Action.SUSPEND): tuple((kind, Scope.ANY) for kind in StepKind),
}


def stage_index(kind: StepKind) -> int:
    return _INDEX[kind]


def stage_of(step: Step) -> int:
    """The step's place within its customer: its kind's stage, but a resume first of all and a
    suspend last of all."""
    if step.kind is StepKind.ORGANIZATION and step.action is Action.RESUME:
        return -1
    if step.kind is StepKind.ORGANIZATION and step.action is Action.SUSPEND:
        return len(STAGE_ORDER)
    return _INDEX[step.kind]


def _platform(step: Step) -> str:
    return platform_of(step.target) or ""


def qualifier(customer: str, step: Step) -> str | None:
    """The content key of a content/approval/schedule step, the platform of a social step."""
    address = Address.parse(customer, step.address)
    if step.kind in (StepKind.CONTENT, StepKind.CONTENT_APPROVAL, StepKind.SCHEDULE):
        return address.qualifier
    if step.kind is StepKind.SOCIAL:
        return _platform(step) or address.qualifier or ""
    return None


def marker(customer: str, step: Step) -> Marker:
    return step.kind, qualifier(customer, step)


def prerequisites(customer: str, step: Step) -> list[Marker]:
    """The markers whose unfinished steps keep `step` from running."""
    wanted = PREREQUISITES[step.kind] + ACTION_PREREQUISITES.get((step.kind, step.action), ())
    key = qualifier(customer, step)
    scoped = {Scope.ANY: None, Scope.SAME_KEY: key, Scope.SAME_PLATFORM: _platform(step)}
    return [(kind, scoped[scope]) for kind, scope in wanted]


def blocked_by(dep: Marker, unresolved: set[Marker]) -> bool:
    kind, wanted = dep
    return any(k is kind and (wanted is None or q == wanted) for k, q in unresolved)


def held_back(
    customer: str, steps: Iterable[Step], holds: Callable[[Step], bool]
) -> tuple[list[Step], list[Step]]:
    """(free, held), in stage order: a step is held when `holds` says so, or when it waits
    (through `prerequisites`, transitively) for a held step. Apply runs the free steps of a
    round (`holds`: an open gate, a value not known yet); plan counts what people hold up."""
    held: set[Marker] = set()
    free: list[Step] = []
    out: list[Step] = []
    for step in sorted(steps, key=stage_of):
        deps = prerequisites(customer, step)
        if holds(step) or any(blocked_by(d, held) for d in deps):
            held.add(marker(customer, step))
            out.append(step)
        else:
            free.append(step)
    return free, out


def held_by_people(customer: str, steps: Iterable[Step]) -> list[Step]:
    """The steps apply cannot carry out before a person acts: each wait on a person, and every
    step that waits (through `prerequisites`, transitively) for one."""
    return held_back(customer, steps, lambda s: s.action is Action.WAIT_ON_PERSON)[1]
