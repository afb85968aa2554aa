"""Observe actual state, diff it against desired state (pure), and the Plan value."""

from layers_reconcile.plan.model import (
    FORMAT_VERSION,
    KNOWN_AFTER_APPLY,
    Action,
    Change,
    CustomerPlan,
    JobEstimate,
    PersonGate,
    Plan,
    Step,
    StepKind,
)

__all__ = [
    "FORMAT_VERSION",
    "KNOWN_AFTER_APPLY",
    "Action",
    "Change",
    "CustomerPlan",
    "JobEstimate",
    "PersonGate",
    "Plan",
    "Step",
    "StepKind",
]
