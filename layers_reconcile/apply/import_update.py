"""`import --update`: what people changed in Layers, as edits to the customer files.

The plan already knows every managed field whose actual value differs from the files; for the
fields people own in the Layers UI (project fields, approval policy, brand, influencer choice)
the actual value (`before`) is written back, so the next plan shows no change for them (the
differences `ignore:` sets aside too, as they are fields people own). Content,
schedules, GitHub and social stay as the files say: those are what apply converges.
"""

from __future__ import annotations

from collections.abc import Mapping

from layers_reconcile.config.ignore import split_path
from layers_reconcile.config.yamledit import DELETE, Edit
from layers_reconcile.plan.ids import RESERVED_KEY, bare_id
from layers_reconcile.plan.model import Action, CustomerPlan, StepKind

SECTIONS = {StepKind.PROJECT: "project", StepKind.APPROVAL: "approval", StepKind.BRAND: "brand"}
_EXPANDED = ("metadata.",)  # fields the plan shows key by key


def edits_for(customer: CustomerPlan, influencer_names: Mapping[str, str]) -> list[Edit]:
    """The edits that make `customer`'s file say what Layers has. `influencer_names`: name by
    influencer id, for the pinned influencer."""
    out: list[Edit] = []
    for step in customer.steps:
        section = SECTIONS.get(step.kind)
        if section is not None and step.action in (Action.UPDATE, Action.ADOPT):
            for change in step.changes:
                if change.before_unknown or change.field == "status":
                    continue
                if change.field.startswith(f"metadata.{RESERVED_KEY}"):
                    continue
                if change.field.startswith(_EXPANDED):
                    path = (section, *change.field.split(".", 1))
                else:
                    path = (section, change.field)
                out.append(Edit(path, DELETE if change.before is None else change.before))
        elif step.kind is StepKind.INFLUENCER and step.action is Action.SELECT:
            pinned = step.changes[0].before if step.changes else None
            if pinned:
                name = influencer_names.get(str(pinned)) or influencer_names.get(
                    bare_id(pinned) or ""
                )
                out.append(Edit(("influencer",), name or str(pinned)))
    for change in customer.ignored:  # fields people own (`ignore:`): written back just the same
        path = split_path(change.field)
        if path[0] in SECTIONS.values() and not change.before_unknown:
            out.append(Edit(path, DELETE if change.before is None else change.before))
    return out


def pinned_influencers(customer: CustomerPlan) -> list[str]:
    """The influencer ids whose names `edits_for` needs."""
    return [
        str(s.changes[0].before)
        for s in customer.steps
        if s.kind is StepKind.INFLUENCER
        and s.action is Action.SELECT
        and s.changes
        and s.changes[0].before
    ]
