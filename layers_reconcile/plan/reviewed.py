"""`apply --reviewed PLANFILE`: which steps of a fresh plan a reviewed plan already showed.

A step is reviewed when the reviewed plan holds a step with the same address and action whose
changes set the same values: every field the fresh step changes is among the reviewed step's
changes with the same `after` (a value the reviewed plan showed as "known after apply" matches
any). An archive must name the same project; an orphan the reviewed plan showed as held back by
`--max-archives` ("a later --prune run archives it") was reviewed for that later run. Everything
else is held back as "not reviewed".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from layers_reconcile.plan.model import Action, Change, Plan, Step
from layers_reconcile.plan.targets import project_id_of


@dataclass(frozen=True)
class Reviewed:
    """The steps of one or more reviewed plans, by (address, action)."""

    steps: dict[tuple[str, str], list[Step]] = field(default_factory=dict)
    # Project ids of the orphans a reviewed --prune plan held back for a later run.
    later_archives: frozenset[str] = frozenset()

    @classmethod
    def of(cls, plans: Iterable[Plan]) -> Reviewed:
        steps: dict[tuple[str, str], list[Step]] = {}
        later: set[str] = set()
        for plan in plans:
            for customer in plan.customers:
                for step in customer.steps:
                    steps.setdefault((step.address, step.action.value), []).append(step)
            later.update(o.project_id for o in plan.held_back_orphans)
        return cls(steps, frozenset(later))

    def holds(self, step: Step) -> bool:
        if step.action is Action.ARCHIVE and project_id_of(step.target) in self.later_archives:
            return True
        return any(_same(seen, step) for seen in self.steps.get((step.address, step.action), []))

    def not_reviewed(self, plan: Plan) -> list[tuple[str, Step]]:
        """(customerExternalId, step) of each step of `plan` no reviewed plan showed."""
        return [
            (c.customer_external_id, s)
            for c in plan.customers
            for s in c.steps
            if not self.holds(s)
        ]


def _same(seen: Step, fresh: Step) -> bool:
    if fresh.action is Action.ARCHIVE and project_id_of(seen.target) != project_id_of(fresh.target):
        return False
    shown = {c.field: c for c in seen.changes}
    return all(f.field in shown and _same_value(shown[f.field], f) for f in fresh.changes)


def _same_value(seen: Change, fresh: Change) -> bool:
    if seen.after_unknown:
        return True
    return not fresh.after_unknown and seen.after == fresh.after


def step_key(step: Step) -> str:
    """How a held-back step is named in text, report and summary."""
    return f"{step.address} {step.action.value}"
