"""Which influencer of the project is the file's: one rule for plan, apply and import.

`influencer: NAME_OR_ID` is found by id, then by name (exactly, then ignoring case). Attributes
are found by their `id:` when given; otherwise Rev A finds them by `name` (the name identifies
them there), and Rev B, which names influencers itself, by the id the tool recorded when it
created them (`pinned`, and the id of a creation still running).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.models import InfluencerSpec
from layers_reconcile.plan.ids import same_id
from layers_reconcile.records import Influencer
from layers_reconcile.statuses import INFLUENCER_UNUSABLE


def file_influencer(
    items: Sequence[Influencer],
    want: str | InfluencerSpec,
    *,
    revision: ApiRevision,
    recorded: Collection[str | None] = (),
) -> Influencer | None:
    """The influencer of `items` the file's `want` names (None: it has none yet). `recorded`:
    the ids the tool recorded for the one it created (the reserved `influencerId`, a job's)."""
    usable = [i for i in items if i.status not in INFLUENCER_UNUSABLE]
    if isinstance(want, str):
        return _by_id(usable, [want]) or _by_name(usable, want)
    if want.id is not None:
        return _by_id(usable, [want.id])
    if revision == "b":
        return _by_id(usable, [r for r in recorded if r])
    return _by_name(usable, want.name) if want.name else None


def file_influencer_label(want: str | InfluencerSpec) -> str:
    """How a plan names the file's influencer."""
    if isinstance(want, str):
        return want
    return want.name or want.id or "the influencer Layers names"


def _by_id(items: Sequence[Influencer], ids: Sequence[str]) -> Influencer | None:
    for wanted in ids:
        for item in items:
            if same_id(item.id, wanted):
                return item
    return None


def _by_name(items: Sequence[Influencer], name: str) -> Influencer | None:
    exact = [i for i in items if i.name == name]
    if exact:
        return exact[0]
    folded = name.casefold()
    return next((i for i in items if (i.name or "").casefold() == folded), None)
