"""Make a Plan: observe every customer concurrently (bounded), diff each, assemble."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol

from layers_reconcile.client import LayersClient
from layers_reconcile.config.models import WorkspaceSpec
from layers_reconcile.errors import ConfigError, ConfigIssue
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.diff import archive_plan, build_plan, diff_customer
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.plan.model import CustomerPlan, Plan
from layers_reconcile.plan.observe import (
    JsonDict,
    first_error,
    observe_customer,
    observe_shared,
)

DEFAULT_PARALLELISM = 8


class WorkspaceLike(Protocol):
    """What planning needs of `config.Workspace`."""

    @property
    def settings(self) -> WorkspaceSpec: ...

    @property
    def customers(self) -> Sequence[Loaded]: ...


def selected(workspace: WorkspaceLike, customers: Collection[str] = ()) -> list[Loaded]:
    """The customers of the workspace, filtered by `--customer` (file order kept)."""
    if not customers:
        return list(workspace.customers)
    wanted = set(customers)
    return [c for c in workspace.customers if c.spec.customerExternalId in wanted]


async def make_plan(
    client: LayersClient,
    workspace: WorkspaceLike,
    *,
    customers: Collection[str] = (),
    parallelism: int | None = None,
    prune: bool = False,
    now: datetime | None = None,
    api_url: str | None = None,
    workspace_root: str | None = None,
) -> Plan:
    """Observe (reads only) and diff every selected customer; with `prune`, archive orphans."""
    settings = workspace.settings
    now = now or datetime.now(UTC)
    limit = parallelism or settings.parallelism or DEFAULT_PARALLELISM
    if prune:
        _check_prune(workspace)
    chosen = selected(workspace, customers)
    shared = await observe_shared(client, github=any(c.spec.github for c in chosen))
    gate = asyncio.Semaphore(limit)

    async def one(loaded: Loaded) -> CustomerPlan:
        async with gate:
            actual = await observe_customer(client, loaded.spec, shared)
        return diff_customer(loaded, actual, settings, now=now)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(c)) for c in chosen]
            orphans = group.create_task(
                _orphans(client, workspace, customers, gate) if prune else _none()
            )
    except BaseExceptionGroup as failed:
        raise first_error(failed) from None
    plans = [t.result() for t in tasks] + orphans.result()
    return build_plan(
        plans,
        now=now,
        workspace=settings.workspace,
        workspace_root=workspace_root,
        api_url=api_url,
        parallelism=limit,
    )


def _check_prune(workspace: WorkspaceLike) -> None:
    """--prune archives the projects whose file is gone: only sound over the whole workspace."""
    root = str(getattr(workspace, "root", "layers.yaml"))
    if getattr(workspace, "partial", False):
        message = (
            "--prune needs the whole workspace: PATH is one file or a folder below the workspace "
            "root, so every other customer would look removed; run it on the folder that holds "
            "layers.yaml"
        )
    elif not workspace.settings.workspace:
        root = "layers.yaml"
        message = (
            "--prune archives only projects stamped with this workspace's name: set "
            "`workspace:` in layers.yaml first"
        )
    elif not workspace.customers:
        message = (
            "--prune refused: the workspace has no customer files (a wrong PATH?), so it would "
            "archive every project of this workspace"
        )
    else:
        return
    raise ConfigError([ConfigIssue(root, 1, 1, message)])


async def _none() -> list[CustomerPlan]:
    return []


async def _orphans(
    client: LayersClient,
    workspace: WorkspaceLike,
    customers: Collection[str],
    gate: asyncio.Semaphore,
) -> list[CustomerPlan]:
    """Active projects stamped with this workspace whose customer has no file any more."""
    known = {c.spec.customerExternalId for c in workspace.customers}
    name = workspace.settings.workspace
    candidates = [
        p
        for p in await client.list_projects()
        if p.get("status", "active") == "active"
        and p.get("customerExternalId") not in known
        and (not customers or p.get("customerExternalId") in customers)
    ]

    async def stamped(item: JsonDict) -> JsonDict | None:
        row = item
        if "metadata" not in row:  # list items may leave metadata out: read the project
            async with gate:
                row = await client.get_project(str(item["id"]))
        stamp = (row.get("metadata") or {}).get(RESERVED_KEY)
        return row if isinstance(stamp, dict) and stamp.get("workspace") == name else None

    rows = await asyncio.gather(*(stamped(p) for p in candidates))
    found = sorted(
        (r for r in rows if r is not None), key=lambda r: str(r.get("customerExternalId"))
    )
    return [archive_plan(r, workspace=name) for r in found]
