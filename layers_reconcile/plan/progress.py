"""What a plan tells whoever watches it read: how many customers, and each one as it is done.

The plan core only reports; `render.reading` shows it (a live line on a terminal, a few plain
lines in CI), so nothing here knows about terminals, clocks or text.
"""

from __future__ import annotations

from typing import Protocol

from layers_reconcile.plan.model import CustomerPlan


class PlanObserver(Protocol):
    """Told `reading(total)` once, after the reads every customer shares (who the key is, the
    projects list), then `planned(customer)` for each of the `total` customers as its plan is
    made: planned, or not planned (its reads failed). Called in the plan's event loop, once per
    customer: it must be cheap and must not block."""

    def reading(self, total: int) -> None: ...

    def planned(self, customer: CustomerPlan) -> None: ...


class Unobserved:
    """Nobody watching (a test, a library caller)."""

    def reading(self, total: int) -> None:
        pass

    def planned(self, customer: CustomerPlan) -> None:
        pass


UNOBSERVED: PlanObserver = Unobserved()
