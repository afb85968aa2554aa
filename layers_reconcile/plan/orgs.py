"""Child organizations (Rev B): which child is a customer's, and what the tool keeps on it.

A child is this customer's when its metadata says `externalId: <customerExternalId>` and carries
this workspace's stamp (`layersReconcileWorkspace`); nothing else ever identifies one. Pure: the
diff and apply share these rules, the client reads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from layers_reconcile.config.fieldtypes import (
    ORG_EXTERNAL_ID_KEY,
    ORG_METADATA_VALUE_MAX,
    ORG_PROJECT_KEY,
    ORG_TRANSFERS_KEY,
    ORG_WORKSPACE_KEY,
    TRANSFER_ID_KEY,
)
from layers_reconcile.records import CreditEvent, Organization

ARCHIVED = "archived"
SUSPENDED = "suspended"


@dataclass(frozen=True)
class Identified:
    """A customer's child as the listing shows it: `mine` (stamped by this workspace, or by the
    one --take-over names), `foreign` (stamped by another workspace: a conflict), and the ids of
    children naming the customer without any stamp (never touched: not positively ours)."""

    mine: Organization | None = None
    foreign: Organization | None = None
    unstamped: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def identify(
    children: Iterable[Organization],
    customer: str,
    workspace: str | None,
    take_over: str | None = None,
) -> Identified:
    """The live (not archived) child of `customer` for `workspace` (see `Identified`)."""
    named = sorted(
        (c for c in children if c.meta(ORG_EXTERNAL_ID_KEY) == customer and c.status != ARCHIVED),
        key=lambda c: c.id,
    )
    ours = [c for c in named if workspace and c.meta(ORG_WORKSPACE_KEY) == workspace]
    taken = [c for c in named if take_over and c.meta(ORG_WORKSPACE_KEY) == take_over]
    others = [c for c in named if c.meta(ORG_WORKSPACE_KEY) and c not in ours and c not in taken]
    unstamped = [c.id for c in named if not c.meta(ORG_WORKSPACE_KEY)]
    picked = ours or taken
    mine = picked[0] if picked else None
    duplicates = [c.id for c in picked[1:]]
    foreign = None if mine is not None or not others else others[0]
    return Identified(mine, foreign, unstamped, duplicates)


def archived_children(
    children: Iterable[Organization], customer: str, workspace: str | None
) -> list[Organization]:
    """The customer's archived children stamped by `workspace` (archive is terminal: a returning
    customer gets a new child, whose keys `ids.child_round` derives from these ids)."""
    if not workspace:
        return []
    return sorted(
        (
            c
            for c in children
            if c.status == ARCHIVED
            and c.meta(ORG_EXTERNAL_ID_KEY) == customer
            and c.meta(ORG_WORKSPACE_KEY) == workspace
        ),
        key=lambda c: c.id,
    )


def orphans(
    children: Iterable[Organization], workspace: str | None, named: frozenset[str]
) -> list[Organization]:
    """Live children stamped by this workspace whose customer no file names."""
    if not workspace:
        return []
    return sorted(
        (
            c
            for c in children
            if c.status != ARCHIVED
            and c.meta(ORG_WORKSPACE_KEY) == workspace
            and (c.meta(ORG_EXTERNAL_ID_KEY) or "") not in named
        ),
        key=lambda c: (c.meta(ORG_EXTERNAL_ID_KEY) or "", c.id),
    )


def customer_of(child: Organization) -> str:
    """The customer a child answers to, as plan names its orphan and apply checks it before
    archiving: its externalId, else its own id."""
    return child.meta(ORG_EXTERNAL_ID_KEY) or child.id


def stamp(customer: str, workspace: str) -> dict[str, str]:
    """The tool's identity keys on a customer's child."""
    return {ORG_EXTERNAL_ID_KEY: customer, ORG_WORKSPACE_KEY: workspace}


def partner_metadata(child: Organization) -> dict[str, str]:
    """The child's metadata without the tool's own keys."""
    tool = {ORG_EXTERNAL_ID_KEY, ORG_WORKSPACE_KEY, ORG_PROJECT_KEY, ORG_TRANSFERS_KEY}
    return {k: v for k, v in (child.metadata or {}).items() if k not in tool and isinstance(v, str)}


def project_of(child: Organization) -> str | None:
    """The project inside the child, as the tool recorded it (checked when read)."""
    return child.meta(ORG_PROJECT_KEY)


def recorded_transfers(child: Organization) -> dict[str, int]:
    """Transfers the tool recorded as carried out, id → credits (`id:credits,…`): a shortcut
    for plan, never for apply, which reads the ledger before it moves anything."""
    text = child.meta(ORG_TRANSFERS_KEY) or ""
    done: dict[str, int] = {}
    for part in text.split(","):
        ident, _, credits = part.partition(":")
        if ident and credits.isdigit():
            done[ident] = int(credits)
    return done


def transfers_record(done: Mapping[str, int]) -> str:
    """The record of carried-out transfers, within the API's 500 characters per value (those
    that do not fit are left out: plan then reads the ledger for them)."""
    text = ""
    for ident, credits in sorted(done.items()):
        part = f"{ident}:{credits}"
        candidate = f"{text},{part}" if text else part
        if len(candidate) > ORG_METADATA_VALUE_MAX:
            break
        text = candidate
    return text


def carried_out(events: Iterable[CreditEvent]) -> dict[str, int]:
    """Transfer id → credits of the allocations on a child's ledger that carry one."""
    done: dict[str, int] = {}
    for event in events:
        meta: Mapping[str, object] = event.metadata or {}
        ident = meta.get(TRANSFER_ID_KEY)
        if event.event_type == "allocation" and isinstance(ident, str) and (event.credits or 0) > 0:
            done[ident] = done.get(ident, 0) + int(event.credits or 0)
    return done


def allocation_metadata(transfer_id: str, workspace: str) -> dict[str, str]:
    """What an allocation carries so the child's ledger says which transfer it was."""
    return {TRANSFER_ID_KEY: transfer_id, ORG_WORKSPACE_KEY: workspace}
