"""Make a Plan: observe every customer concurrently (bounded), diff each, assemble."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from layers_reconcile.advice import advice_for
from layers_reconcile.apirevision import Pin
from layers_reconcile.client import LayersClient
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.errors import (
    ApiError,
    ConfigError,
    ConfigIssue,
    ReconcileError,
    UnknownStatusError,
    is_transient,
    leaf_exception,
)
from layers_reconcile.guidance import API_SIDE, sentence
from layers_reconcile.plan.actual import SharedActual
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.diff import build_plan, diff_customer
from layers_reconcile.plan.model import CustomerPlan, NotPlanned, Plan
from layers_reconcile.plan.observe import observe_customer, observe_shared
from layers_reconcile.plan.orphans import (
    Orphans,
    WorkspaceNames,
    archive_plans,
    holding_named,
    misnamed_for_new,
    orphan_children,
    orphan_plans,
    orphan_projects,
    refuse_beside,
)
from layers_reconcile.plan.progress import UNOBSERVED, PlanObserver
from layers_reconcile.plan.scope import ALL, DEFAULT_PRUNE_CAP, Candidates, RunScope
from layers_reconcile.records import Project

__all__ = ["DEFAULT_PRUNE_CAP", "RunScope", "check_prune", "make_plan", "selected"]

DEFAULT_PARALLELISM = 8
# A filtered plan of at most this many customers looks each one up instead of listing projects.
LOOKUP_LIMIT = 25
# Observations of one customer before a transient failure (after all the client's retries of
# one read) leaves it "not planned"; the other customers are planned either way.
OBSERVE_ROUNDS = 2


class WorkspaceLike(WorkspaceNames, Protocol):
    """What planning needs of `config.Workspace`: its settings and every name its files give
    (`orphans.WorkspaceNames`), and the customers to plan."""

    @property
    def customers(self) -> Sequence[Loaded]: ...


def children_unread(
    shared: SharedActual, wanted: Candidates, found: Sequence[Project] | None, *, prune: bool
) -> list[str]:
    """Rev B with a key without org:admin: the child organizations are not read
    (`observe_shared`), so an orphan child can be neither listed nor archived. Said when it
    matters: a customer whose file is gone has no orphan project (it may have lived in a
    child), or `--prune` of everything. A flat workspace's plans otherwise stay quiet."""
    if not wanted or shared.revision != "b" or shared.organizations is not None:
        return []
    if isinstance(wanted, frozenset):
        seen = {p.customer_external_id for p in found or ()}
        unseen = sorted(wanted - seen)
        if not unseen:
            return []
        who = ", ".join(repr(ext) for ext in unseen[:5]) + (" …" if len(unseen) > 5 else "")
        return [
            f"no project was found for {who}, whose file is gone, and the key lacks org:admin: "
            "if it lived in its own child organization, that child is neither listed nor "
            "archived by --prune; plan with a key that has org:admin to see it"
        ]
    if not prune:
        return []
    return [
        "child organizations were not read: the key lacks org:admin, so --prune neither lists "
        "nor archives an orphan child; plan with a key that has org:admin to see them"
    ]


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
    observer: PlanObserver = UNOBSERVED,
) -> Plan:
    """Observe (reads only) and diff every customer `scope` covers, and list this workspace's
    orphans (which ones: `RunScope.orphan_candidates`). With `scope.prune`, up to
    `scope.prune_cap` orphans get an archive step; `scope.take_over` names the workspace whose
    stamped projects this plan may adopt. A shard of the whole workspace (`scope.orphans_in`)
    lists the orphans its predicate holds, so the shards of a CI matrix list, and with --prune
    archive, every orphan between them. `revision`: the API revision asked for (default:
    layers.yaml's `apiRevision`); the plan is made, and says it is, in the one the API speaks.
    `observer` is told how many customers are read, then each one as it is planned.
    """
    settings = workspace.settings
    limit = parallelism or settings.parallelism or DEFAULT_PARALLELISM
    if scope.prune:
        check_prune(workspace, scope)
    chosen = _chosen(workspace, scope)
    wanted = scope.orphan_candidates(settings.workspace, workspace.named)
    run = await _start(
        client,
        workspace,
        scope,
        chosen,
        wanted,
        revision=revision or Pin(settings.apiRevision),
        limit=limit,
        now=now or datetime.now(UTC),
        observer=observer,
    )
    observer.reading(len(chosen))
    plans, found = await _observe_and_diff(run, workspace, chosen, wanted)
    plans, orphans, warnings = await _with_orphans(run, workspace, wanted, plans, found)
    return build_plan(
        plans + await archive_plans(client, orphans, settings.workspace),
        now=run.now,
        workspace=settings.workspace,
        workspace_root=scope.root,
        api_url=api_url,
        parallelism=limit,
        orphans=orphans.listed,
        take_over=scope.take_over,
        warnings=warnings,
        api_revision=run.shared.revision,
    )


async def _with_orphans(
    run: _Run,
    workspace: WorkspaceLike,
    wanted: Candidates,
    plans: list[CustomerPlan],
    found: list[Project] | None,
) -> tuple[list[CustomerPlan], Orphans, list[str]]:
    """The customers' plans refused beside a child that names another customer, the orphans
    (archived up to the cap with --prune) and what the plan must say of the children it could
    not read."""
    client, scope = run.client, run.scope
    candidates = orphan_children(run.shared, workspace, wanted, scope.orphans_in)
    children, misnamed = await holding_named(client, candidates, workspace.named)
    # A scope that lists some orphans or none (--customer, --changed-since, a shard): the same
    # protection for the children it did not read.
    misnamed.update(await misnamed_for_new(client, run.shared, workspace, plans, candidates or []))
    plans = [refuse_beside(p, misnamed) for p in plans]
    orphans, warnings = orphan_plans(
        found, workspace, prune=scope.prune, cap=scope.prune_cap, children=children
    )
    warnings += children_unread(run.shared, wanted, found, prune=scope.prune)
    return plans, orphans, warnings


def _chosen(workspace: WorkspaceLike, scope: RunScope) -> list[Loaded]:
    """The customers the scope plans (`--customer`, then a shard's share)."""
    chosen = selected(workspace, scope.customers)
    orphans_in = scope.orphans_in
    if orphans_in is not None:  # a shard may have no customer file at all (customers == ())
        chosen = [c for c in chosen if orphans_in(c.spec.customerExternalId)]
    return chosen


@dataclass(frozen=True)
class _Run:
    """What every customer's observation and diff of one plan shares."""

    client: LayersClient
    settings: WorkspaceSpec
    scope: RunScope
    shared: SharedActual
    gate: asyncio.Semaphore  # at most `parallelism` customers observed at once
    listing: dict[str, list[Project]] | None  # the projects list by customer, when read
    now: datetime
    observer: PlanObserver


async def _start(
    client: LayersClient,
    workspace: WorkspaceLike,
    scope: RunScope,
    chosen: Sequence[Loaded],
    wanted: Candidates,
    *,
    revision: Pin,
    limit: int,
    now: datetime,
    observer: PlanObserver,
) -> _Run:
    """Read what the plans of every customer share: the run's facts (whoami, installations,
    child organizations) and, for the whole workspace or many customers, the projects list."""
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
    listing = _by_customer(await client.list_projects()) if by_list else None
    return _Run(client, workspace.settings, scope, shared, gate, listing, now, observer)


async def _observe_and_diff(
    run: _Run, workspace: WorkspaceLike, chosen: Sequence[Loaded], wanted: Candidates
) -> tuple[list[CustomerPlan], list[Project] | None]:
    """Every chosen customer's plan, and the workspace's orphan projects, read concurrently."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_observed(run, c)) for c in chosen]
            found = group.create_task(
                orphan_projects(
                    run.client, workspace, wanted, run.listing, run.gate, run.scope.orphans_in
                )
            )
    except BaseExceptionGroup as failed:
        raise leaf_exception(failed) from None
    return [t.result() for t in tasks], found.result()


async def _observed(run: _Run, loaded: Loaded) -> CustomerPlan:
    """`_plan_customer`, told to the run's observer once made (planned or not)."""
    made = await _plan_customer(run, loaded)
    run.observer.planned(made)
    return made


async def _plan_customer(run: _Run, loaded: Loaded) -> CustomerPlan:
    """Observe one customer and diff it. A transient failure of its reads (after the client's
    retries) is observed again, OBSERVE_ROUNDS in all; one that persists, or a status this
    version does not know, leaves that customer alone not planned."""
    ext = loaded.spec.customerExternalId
    listed = None if run.listing is None else run.listing.get(ext, [])
    for round_ in range(OBSERVE_ROUNDS):
        try:
            async with run.gate:
                actual = await observe_customer(
                    run.client,
                    loaded.spec,
                    run.shared,
                    listed=listed,
                    workspace=run.settings.workspace,
                    take_over=run.scope.take_over,
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
        run.settings,
        now=run.now,
        take_over=run.scope.take_over,
        revision=run.shared.revision,
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
            advice=_advice(exc),
        ),
    )


def _advice(exc: ApiError) -> str:
    """What to do, as a sentence: every error a customer goes unplanned for (transient, or a
    status this version does not know) gets one."""
    advice = advice_for(exc, command="plan")
    return sentence(API_SIDE if advice is None else advice.text)


def _by_customer(items: list[Project]) -> dict[str, list[Project]]:
    grouped: dict[str, list[Project]] = {}
    for item in items:
        grouped.setdefault(str(item.customer_external_id), []).append(item)
    return grouped


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
