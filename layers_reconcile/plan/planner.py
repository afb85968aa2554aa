"""Make a Plan: observe every customer concurrently (bounded), diff each, assemble."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from layers_reconcile.apirevision import Pin
from layers_reconcile.client import LayersClient
from layers_reconcile.client.retrying import retry_advice
from layers_reconcile.config.fieldtypes import ORG_EXTERNAL_ID_KEY, ORG_WORKSPACE_KEY
from layers_reconcile.config.models import WorkspaceSpec
from layers_reconcile.errors import (
    ApiError,
    ConfigError,
    ConfigIssue,
    ReconcileError,
    UnknownStatusError,
    is_transient,
    leaf_exception,
)
from layers_reconcile.plan import orgs
from layers_reconcile.plan.actual import SharedActual
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.diff import archive_plan, build_plan, diff_customer
from layers_reconcile.plan.diff_org import archive_child_plan
from layers_reconcile.plan.ids import LAST_APPLIED, RESERVED_KEY
from layers_reconcile.plan.model import (
    Action,
    Conflict,
    CustomerPlan,
    NotPlanned,
    Orphan,
    Plan,
    StepKind,
)
from layers_reconcile.plan.observe import (
    observe_customer,
    observe_shared,
)
from layers_reconcile.plan.scope import ALL, DEFAULT_PRUNE_CAP, Candidates, RunScope
from layers_reconcile.records import Organization, Project

__all__ = ["DEFAULT_PRUNE_CAP", "RunScope", "check_prune", "make_plan", "selected"]

DEFAULT_PARALLELISM = 8
# A filtered plan of at most this many customers looks each one up instead of listing projects.
LOOKUP_LIMIT = 25
# Observations of one customer before a transient failure (after all the client's retries of
# one read) leaves it "not planned"; the other customers are planned either way.
OBSERVE_ROUNDS = 2


class WorkspaceLike(Protocol):
    """What planning needs of `config.Workspace`."""

    @property
    def settings(self) -> WorkspaceSpec: ...

    @property
    def customers(self) -> Sequence[Loaded]: ...

    @property
    def named(self) -> frozenset[str]:
        """Every customerExternalId a file of the whole workspace names (not only `customers`):
        no project these name is an orphan."""
        ...


def selected(workspace: WorkspaceLike, customers: Collection[str] = ()) -> list[Loaded]:
    """The customers of the workspace, filtered by `--customer` (file order kept)."""
    if not customers:
        return list(workspace.customers)
    wanted = set(customers)
    return [c for c in workspace.customers if c.spec.customerExternalId in wanted]


async def make_plan(
    client: LayersClient,
    workspace: WorkspaceLike,
    scope: RunScope = RunScope(),  # noqa: B008 (frozen: one shared default is safe)
    *,
    parallelism: int | None = None,
    now: datetime | None = None,
    api_url: str | None = None,
    revision: Pin | None = None,
) -> Plan:
    """Observe (reads only) and diff every customer `scope` covers, and list this workspace's
    orphans (which ones: `RunScope.orphan_candidates`). With `scope.prune`, up to
    `scope.prune_cap` orphans get an archive step; `scope.take_over` names the workspace whose
    stamped projects this plan may adopt. A shard of the whole workspace (`scope.orphans_in`)
    lists the orphans its predicate holds, so the shards of a CI matrix list, and with --prune
    archive, every orphan between them. `revision`: the API revision asked for (default:
    layers.yaml's `apiRevision`); the plan is made, and says it is, in the one the API speaks.
    """
    settings = workspace.settings
    revision = revision or Pin(settings.apiRevision)
    now = now or datetime.now(UTC)
    limit = parallelism or settings.parallelism or DEFAULT_PARALLELISM
    if scope.prune:
        check_prune(workspace, scope)
    chosen = selected(workspace, scope.customers)
    orphans_in = scope.orphans_in
    if orphans_in is not None:  # a shard may have no customer file at all (customers == ())
        chosen = [c for c in chosen if orphans_in(c.spec.customerExternalId)]
    wanted = scope.orphan_candidates(settings.workspace, workspace.named)
    lookups = len(chosen) + (len(wanted) if isinstance(wanted, frozenset) else 0)
    by_list = scope.whole or wanted is ALL or lookups > LOOKUP_LIMIT
    in_children = [c for c in chosen if c.spec.organization is not None]
    shared = await observe_shared(
        client,
        github=any(c.spec.github for c in chosen),
        read_only=True,
        revision=revision,
        organizations=bool(in_children),
        orphan_children=bool(wanted),
    )
    require_organizations(in_children, shared)
    gate = asyncio.Semaphore(limit)
    listing: dict[str, list[Project]] | None = None
    if by_list:
        listing = _by_customer(await client.list_projects())

    async def one(loaded: Loaded) -> CustomerPlan:
        ext = loaded.spec.customerExternalId
        listed = None if listing is None else listing.get(ext, [])
        for round_ in range(OBSERVE_ROUNDS):
            try:
                async with gate:
                    actual = await observe_customer(
                        client,
                        loaded.spec,
                        shared,
                        listed=listed,
                        workspace=settings.workspace,
                        take_over=scope.take_over,
                    )
                break
            except ApiError as exc:  # one customer's unlucky read ends that customer alone
                if isinstance(exc, UnknownStatusError):
                    return not_planned(loaded, exc)
                if not is_transient(exc):
                    raise
                if round_ + 1 == OBSERVE_ROUNDS:
                    return not_planned(loaded, exc)
        return diff_customer(
            loaded,
            actual,
            settings,
            now=now,
            take_over=scope.take_over,
            revision=shared.revision,
        )

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(c)) for c in chosen]
            found = group.create_task(
                _orphans(client, workspace, wanted, listing, gate, orphans_in)
            )
    except BaseExceptionGroup as failed:
        raise leaf_exception(failed) from None
    plans = [t.result() for t in tasks]
    candidates = _orphan_children(shared, workspace, wanted, orphans_in)
    children, misnamed = await _holding_named(client, candidates, workspace.named)
    # A scope that lists some orphans or none (--customer, --changed-since, a shard): the same
    # protection for the children it did not read.
    misnamed.update(await _misnamed_for_new(client, shared, workspace, plans, candidates or []))
    plans = [_refuse_beside(p, misnamed) for p in plans]
    orphans, warnings = _orphan_plans(
        found.result(), workspace, prune=scope.prune, cap=scope.prune_cap, children=children
    )
    archived_children = await _with_balances(client, orphans.archived_children)
    return build_plan(
        plans
        + [archive_plan(row, workspace=settings.workspace) for row in orphans.archived]
        + [archive_child_plan(c, workspace=settings.workspace) for c in archived_children],
        now=now,
        workspace=settings.workspace,
        workspace_root=scope.root,
        api_url=api_url,
        parallelism=limit,
        orphans=orphans.listed,
        take_over=scope.take_over,
        warnings=warnings,
        api_revision=shared.revision,
    )


def not_planned(loaded: Loaded, exc: ApiError) -> CustomerPlan:
    """A customer whose actual state could not be read: shown with the error, never applied."""
    return CustomerPlan(
        customer_external_id=loaded.spec.customerExternalId,
        project_id=None,
        file=None if loaded.path is None else str(loaded.path),
        not_planned=NotPlanned(
            message=str(exc),
            status=exc.status,
            code=exc.code,
            request_id=exc.request_id,
            attempts=str(exc.attempts) if exc.attempts else None,
            advice=retry_advice(exc),
        ),
    )


def _by_customer(items: list[Project]) -> dict[str, list[Project]]:
    grouped: dict[str, list[Project]] = {}
    for item in items:
        grouped.setdefault(str(item.customer_external_id), []).append(item)
    return grouped


@dataclass
class _Orphans:
    listed: list[Orphan] | None
    archived: list[Project] = field(default_factory=list)
    archived_children: list[Organization] = field(default_factory=list)


def _orphan_plans(
    rows: list[Project] | None,
    workspace: WorkspaceLike,
    *,
    prune: bool,
    cap: int,
    children: list[Organization] | None = None,
) -> tuple[_Orphans, list[str]]:
    """The orphans a plan lists (projects, then child organizations); with `prune`, the first
    `cap` of them are archived (one --max-archives for both)."""
    if rows is None:
        return _Orphans(None), []
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
            customer_external_id=c.meta(ORG_EXTERNAL_ID_KEY) or c.id,
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
    return _Orphans(listed, archived, archived_kids), warnings


def require_organizations(customers: Sequence[Loaded], shared: SharedActual) -> None:
    """Customers in child organizations need the API's Rev B (organizations exist nowhere else):
    on Rev A each is a ConfigError at its `organization:` line, never a silent flat customer."""
    if not customers or shared.revision == "b":
        return
    issues = []
    for loaded in customers:
        source = getattr(loaded, "source", None)
        mark = source.mark(("organization",), key=True) if source is not None else None
        issues.append(
            ConfigIssue(
                mark.file if mark else str(loaded.path),
                mark.line if mark else 1,
                mark.col if mark else 1,
                "`organization:` needs the Layers API's Rev B (child organizations), and this "
                "API speaks Rev A: remove the block (a flat customer) or point --api-url at a "
                "Rev B API",
            )
        )
    raise ConfigError(issues)


def _orphan_children(
    shared: SharedActual,
    workspace: WorkspaceLike,
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


async def _holding_named(
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


async def _misnamed_for_new(
    client: LayersClient,
    shared: SharedActual,
    workspace: WorkspaceLike,
    plans: list[CustomerPlan],
    read: list[Organization],
) -> dict[str, Organization]:
    """The stamped children no file names that `_holding_named` has not `read` yet (a scope
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
    return (await _holding_named(client, [c for c in stamped if c.id not in seen], making))[1]


def _refuse_beside(plan: CustomerPlan, misnamed: dict[str, Organization]) -> CustomerPlan:
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
    stamp = (row.metadata or {}).get(RESERVED_KEY)
    value = stamp.get(LAST_APPLIED) if isinstance(stamp, dict) else None
    return value if isinstance(value, str) else None


def check_prune(workspace: WorkspaceLike, scope: RunScope, *, at: Path | None = None) -> None:
    """--prune archives the projects whose file is gone: only sound over the whole workspace (a
    `--shard` of it, a `--changed-since` of it), never over part of it (a sub-folder, a file,
    `--customer`): what it leaves out must not look removed. ReconcileError (ConfigError for
    layers.yaml) with the fix. `at`: the workspace's folder, named when PATH is part of it."""
    if scope.picked:
        raise ReconcileError(
            "--prune needs the whole workspace: --customer plans only the customers it names, so "
            "every other customer would look removed; drop --customer"
        )
    if scope.partial:
        where = f" at {at.resolve()}" if at is not None else ""
        raise ReconcileError(
            f"--prune needs the whole workspace: PATH is one file or a folder inside the workspace"
            f"{where}, so the customers outside it would look removed; run it on the folder that "
            "holds layers.yaml"
        )
    if not workspace.settings.workspace:
        raise ConfigError(
            [
                ConfigIssue(
                    "layers.yaml",
                    1,
                    1,
                    "--prune archives only projects stamped with this workspace's name: set "
                    "`workspace:` in layers.yaml first",
                )
            ]
        )
    if not workspace.customers:
        raise ReconcileError(
            "--prune refused: the workspace has no customer files (a wrong PATH?), so it would "
            "archive every project of this workspace"
        )


async def _orphans(
    client: LayersClient,
    workspace: WorkspaceLike,
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
        stamp = (row.metadata or {}).get(RESERVED_KEY)
        return row if isinstance(stamp, dict) and stamp.get("workspace") == name else None

    rows = await asyncio.gather(*(stamped(p) for p in candidates))
    return sorted(
        (r for r in rows if r is not None),
        key=lambda r: (str(r.customer_external_id), r.id),
    )
