"""Orphans: projects (and, on Rev B, child organizations) stamped by this workspace whose
customer has no file. A plan lists them; with --prune it archives up to --max-archives of them.
A child whose project belongs to a customer a file names (its `externalId` edited by hand) is
no orphan: the customer is refused instead, and the child never archived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from layers_reconcile.client import LayersClient
from layers_reconcile.config.fieldtypes import ORG_EXTERNAL_ID_KEY, ORG_WORKSPACE_KEY
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan import orgs
from layers_reconcile.plan.actual import SharedActual, reserved_of
from layers_reconcile.plan.diff import archive_plan
from layers_reconcile.plan.diff_org import archive_child_plan
from layers_reconcile.plan.ids import LAST_APPLIED
from layers_reconcile.plan.model import Action, Conflict, CustomerPlan, Orphan, StepKind
from layers_reconcile.plan.scope import Candidates
from layers_reconcile.records import Organization, Project


class WorkspaceNames(Protocol):
    """What the orphan search needs of a workspace (`planner.WorkspaceLike` extends it)."""

    @property
    def settings(self) -> WorkspaceSpec: ...

    @property
    def named(self) -> frozenset[str]:
        """Every customerExternalId a file of the whole workspace names (not only the customers
        planned): no project these name is an orphan."""
        ...


@dataclass
class Orphans:
    """The orphans a plan lists, and those of them --prune archives."""

    listed: list[Orphan] | None
    archived: list[Project] = field(default_factory=list)
    archived_children: list[Organization] = field(default_factory=list)


def orphan_plans(
    rows: list[Project] | None,
    workspace: WorkspaceNames,
    *,
    prune: bool,
    cap: int,
    children: list[Organization] | None = None,
) -> tuple[Orphans, list[str]]:
    """The orphans a plan lists (projects, then child organizations); with `prune`, the first
    `cap` of them are archived (one --max-archives for both)."""
    if rows is None:
        return Orphans(None), []
    kids = children or []
    archived = rows[:cap] if prune else []
    archived_kids = kids[: max(0, cap - len(archived))] if prune else []
    listed = [
        Orphan(
            customer_external_id=str(r.customer_external_id),
            project_id=r.id,
            name=r.name,
            last_applied_at=_last_applied(r),
            archived=i < len(archived),
        )
        for i, r in enumerate(rows)
    ] + [
        Orphan(
            customer_external_id=orgs.customer_of(c),
            project_id=c.id,
            organization_id=c.id,
            name=c.name,
            archived=i < len(archived_kids),
        )
        for i, c in enumerate(kids)
    ]
    warnings = []
    total = len(rows) + len(kids)
    if prune and total > cap:
        warnings.append(
            f"{total} projects and child organizations of workspace "
            f"{workspace.settings.workspace!r} have no file; --prune archives at most {cap} in "
            "one run (raise it with --max-archives), the rest on the next runs"
            if kids
            else f"{len(rows)} projects of workspace {workspace.settings.workspace!r} have no "
            f"file; --prune archives at most {cap} in one run (raise it with --max-archives), "
            "the rest on the next runs"
        )
    return Orphans(listed, archived, archived_kids), warnings


async def archive_plans(
    client: LayersClient, orphans: Orphans, workspace: str | None
) -> list[CustomerPlan]:
    """`--prune`: an archive plan per orphan project, then per orphan child organization."""
    archived_children = await _with_balances(client, orphans.archived_children)
    return [archive_plan(row, workspace=workspace) for row in orphans.archived] + [
        archive_child_plan(c, workspace=workspace) for c in archived_children
    ]


def orphan_children(
    shared: SharedActual,
    workspace: WorkspaceNames,
    wanted: Candidates,
    orphans_in: Callable[[str], bool] | None,
) -> list[Organization] | None:
    """Child organizations stamped by this workspace that no file names, among `wanted` (all of
    them, or the customers of the files --changed-since saw deleted), on Rev B; None when
    children were not listed."""
    if not wanted or shared.organizations is None:
        return None
    found = orgs.orphans(shared.organizations, workspace.settings.workspace, workspace.named)
    if isinstance(wanted, frozenset):
        found = [c for c in found if c.meta(ORG_EXTERNAL_ID_KEY) in wanted]
    if orphans_in is not None:
        found = [c for c in found if orphans_in(c.meta(ORG_EXTERNAL_ID_KEY) or "")]
    return found


async def holding_named(
    client: LayersClient, children: list[Organization] | None, named: frozenset[str]
) -> tuple[list[Organization] | None, dict[str, Organization]]:
    """The orphan children that are orphans indeed, and the others by the customer they hold:
    one whose project inside belongs to a customer a file names had its `externalId` edited
    by hand; it is never archived (an archive is for good and sweeps its credits). One read per
    orphan child."""
    if not children:
        return children, {}
    found = await asyncio.gather(
        *(client.inside(c.id).list_projects(status="active") for c in children)
    )
    kept: list[Organization] = []
    misnamed: dict[str, Organization] = {}
    for child, rows in zip(children, found, strict=True):
        held = sorted(
            {str(p.customer_external_id) for p in rows if p.customer_external_id in named}
        )
        if not held:
            kept.append(child)
            continue
        misnamed.update(dict.fromkeys(held, child))
    return kept, misnamed


async def misnamed_for_new(
    client: LayersClient,
    shared: SharedActual,
    workspace: WorkspaceNames,
    plans: list[CustomerPlan],
    read: list[Organization],
) -> dict[str, Organization]:
    """The stamped children no file names that `holding_named` has not `read` yet (a scope
    that lists only some orphans, or none), read only when a chosen customer's plan makes a new
    child: a no-op plan reads nothing more."""
    making = frozenset(
        p.customer_external_id
        for p in plans
        if any(s.kind is StepKind.ORGANIZATION and s.action is Action.CREATE for s in p.steps)
    )
    if not making or shared.organizations is None:
        return {}
    seen = {c.id for c in read}
    stamped = orgs.orphans(shared.organizations, workspace.settings.workspace, workspace.named)
    return (await holding_named(client, [c for c in stamped if c.id not in seen], making))[1]


def refuse_beside(plan: CustomerPlan, misnamed: dict[str, Organization]) -> CustomerPlan:
    """A customer whose project sits in a child whose `externalId` names another customer: a
    conflict (its plan would make a second child beside it, and fund it again)."""
    child = misnamed.get(plan.customer_external_id)
    if child is None or plan.conflict is not None:
        return plan
    says = child.meta(ORG_EXTERNAL_ID_KEY)
    return plan.model_copy(
        update={
            "steps": [],
            "warnings": [],
            "conflict": Conflict(
                workspace=child.meta(ORG_WORKSPACE_KEY) or "",
                project_id=child.id,
                message=(
                    f"child organization {child.id} holds the project of customer "
                    f"{plan.customer_external_id!r} but its metadata says externalId {says!r}; "
                    "apply refuses this customer (and --prune never archives that child) "
                    "rather than make and fund a second child"
                ),
                recovery=f"set metadata.{ORG_EXTERNAL_ID_KEY} of child organization {child.id} "
                f"back to {plan.customer_external_id!r}",
            ),
        }
    )


async def _with_balances(client: LayersClient, children: list[Organization]) -> list[Organization]:
    """The children an archive step acts on, read again with their balance (the plan shows the
    credits it expects back)."""
    return list(await asyncio.gather(*(client.get_organization(c.id) for c in children)))


def _last_applied(row: Project) -> str | None:
    value = (reserved_of(row) or {}).get(LAST_APPLIED)
    return value if isinstance(value, str) else None


async def orphan_projects(
    client: LayersClient,
    workspace: WorkspaceNames,
    wanted: Candidates,
    listing: dict[str, list[Project]] | None,
    gate: asyncio.Semaphore,
    orphans_in: Callable[[str], bool] | None = None,
) -> list[Project] | None:
    """Active projects stamped by this workspace whose customer has no file, by customer id.

    From the projects list when it was read (one GET per candidate only when its items leave the
    metadata out), else one lookup per wanted customer."""
    if wanted is None:
        return None
    name = workspace.settings.workspace
    known = workspace.named
    if listing is not None:
        items = [p for ext, ps in listing.items() for p in ps if ext not in known]
    else:
        assert isinstance(wanted, frozenset)

        async def lookup(ext: str) -> list[Project]:
            async with gate:
                return await client.find_projects(ext)

        found = await asyncio.gather(*(lookup(e) for e in sorted(wanted)))
        items = [p for ps in found for p in ps]
    candidates = [
        p
        for p in items
        if (p.status or "active") == "active"
        and (not isinstance(wanted, frozenset) or p.customer_external_id in wanted)
        and (orphans_in is None or orphans_in(str(p.customer_external_id)))
    ]

    async def stamped(item: Project) -> Project | None:
        row = item
        if "metadata" not in row.model_fields_set:  # list items leave it out: read the project
            async with gate:
                row = await client.get_project(item.id)
        stamp = reserved_of(row)
        return row if stamp is not None and stamp.get("workspace") == name else None

    rows = await asyncio.gather(*(stamped(p) for p in candidates))
    return sorted(
        (r for r in rows if r is not None),
        key=lambda r: (str(r.customer_external_id), r.id),
    )
