"""`ignore:`: the changes to fields people own are set aside, not planned.

Each stage of the diff passes the changes it found to an existing object (the project, its
approval policy, its brand context, a generated content's brief) through `Ctx.keep`: a change
whose field an `ignore:` entry covers is listed as ignored instead, and a stage left with no
change plans no step. What creates an object never goes through it, and a value known only after
apply (the project or its ingest is still to come) is always planned: creation uses the file.
"""

from __future__ import annotations

from collections.abc import Sequence

from layers_reconcile.config.ignore import ignored_by
from layers_reconcile.plan.address import Address
from layers_reconcile.plan.model import Change

# The field a change names when the plan only knows that a brief differs (its hash).
_FIELD_ALIASES = {"briefHash": "brief"}


def set_aside(
    customer: str, address: str, changes: Sequence[Change], patterns: Sequence[str]
) -> tuple[list[Change], list[Change]]:
    """The changes to an existing object to plan, and the ignored ones (named by their whole
    path, before: Layers, after: the file). A value known only after apply is always planned."""
    if not patterns:
        return list(changes), []
    parts = Address.parse(customer, address).parts
    kept: list[Change] = []
    ignored: list[Change] = []
    for change in changes:
        path = ".".join([*parts, _FIELD_ALIASES.get(change.field, change.field)])
        if change.before_unknown or ignored_by(patterns, path) is None:
            kept.append(change)
        else:
            ignored.append(change.model_copy(update={"field": path}))
    return kept, ignored
