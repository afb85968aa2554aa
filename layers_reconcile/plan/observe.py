"""Read actual state through the API: only what the desired state needs, never a write.

`observe_shared` runs once per plan (identity, the registered GitHub installations);
`observe_customer` runs once per customer and uses list endpoints, never one GET per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from layers_reconcile.apirevision import Pin, settle
from layers_reconcile.client import LayersClient
from layers_reconcile.config.fieldtypes import ORG_EXTERNAL_ID_KEY, ORG_WORKSPACE_KEY
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.errors import (
    ApiServerError,
    AuthError,
    NotFoundError,
    UnknownStatusError,
    leaf_exception,
)
from layers_reconcile.plan import orgs
from layers_reconcile.plan.actual import ActualCustomer, JsonDict, SharedActual, reserved_of
from layers_reconcile.plan.ids import project_id_for, same_id
from layers_reconcile.records import (
    ApprovalPolicy,
    Installation,
    Organization,
    Project,
    ReservedRecord,
)
from layers_reconcile.revb import approval_of, approval_on_row
from layers_reconcile.statuses import UNKNOWN

__all__ = ["ActualCustomer", "JsonDict", "SharedActual", "observe_customer", "observe_shared"]


async def observe_shared(
    client: LayersClient,
    *,
    github: bool = True,
    read_only: bool = False,
    revision: Pin = Pin(),  # noqa: B008 (frozen: one shared default is safe)
    organizations: bool = False,
    orphan_children: bool = False,
) -> SharedActual:
    """Once per run: who the key is (this also starts the client's pacing), which API revision
    it speaks (decided from that answer, no request of its own; the client is told) and the
    installations; with `organizations` (a customer lives in a child) or `orphan_children` (a
    whole-workspace plan lists this workspace's orphans: a key without org:admin reads none
    then), every child organization, once (one paginated list, not one per customer; Rev B).

    `read_only` (plan): a key without `github:admin` leaves the installations unchecked instead
    of failing, so a read-only key can plan. A pinned `revision` the API does not speak is a
    `RevisionMismatch`, before any write."""
    who = await client.whoami()
    spoken = settle(revision, who)
    client.revision = spoken
    # Organizations exist on Rev B only: on Rev A the caller refuses the customers that need
    # them (`plan.planner.require_organizations`), nothing is read.
    children: list[Organization] | None = None
    if (organizations or orphan_children) and spoken == "b":
        try:
            children = await client.list_organizations()
        except AuthError as exc:
            if organizations or exc.code != "FORBIDDEN_SCOPE":
                raise
    installations: list[Installation] | None = None
    unchecked: str | None = None
    if github:
        try:
            installations = await client.installations()
        except AuthError as exc:
            if not (read_only and exc.code == "FORBIDDEN_SCOPE"):
                raise
            unchecked = "not checked: the key lacks github:admin"
    return SharedActual(
        whoami=who,
        revision=spoken,
        github_installations=installations,
        github_unchecked=unchecked,
        organizations=children,
    )


def _pick_project(
    items: list[Project], customer_external_id: str
) -> tuple[Project | None, list[str]]:
    """Prefer an active project, then the one this tool would have created (deterministic id).

    Only a project whose `customerExternalId` is the file's is ever used: a server that ignores
    the filter must not hand this customer someone else's project.
    """
    matches = [p for p in items if p.customer_external_id == customer_external_id]
    if len(matches) <= 1:  # the usual case: nothing to rank
        return (matches[0], []) if matches else (None, [])
    mine = project_id_for(customer_external_id)
    ranked = sorted(
        matches,
        key=lambda p: (p.status != "active", not same_id(p.id, mine)),
    )
    return ranked[0], [p.id for p in ranked[1:]]


# What `GET /v1/projects/:id` gives that the list items of CONTRACT.md leave out.
_FULL_ROW_FIELDS = frozenset({"metadata", "approval_policy", "brand_context", "ingest_state"})


def has_full_row(item: Project) -> bool:
    """A list item that carries the whole row (metadata included) needs no GET of its own."""
    return item.model_fields_set >= _FULL_ROW_FIELDS


def _needs_posts(spec: CustomerSpec, reserved: ReservedRecord) -> bool:
    """Posts matter when the file schedules some or content the tool made may have queued ones."""
    if spec.content is None:
        return False  # content is not managed: its posts are neither read nor touched
    scheduled = any(c.schedule for c in spec.content.values())
    return scheduled or bool(reserved.get("content"))


def _refuse_unknown_status(project: Project, ext: str) -> None:
    """A project in a status this version does not know is not safe to plan (statuses.py)."""
    if project.status == UNKNOWN:
        raise UnknownStatusError(
            f"project {project.id} has status {project.status_sent!r}, which this version does "
            f"not know: nothing is planned for {ext}",
            method="GET",
            path=f"/v1/projects/{project.id}",
        )


async def observe_customer(
    client: LayersClient,
    spec: CustomerSpec,
    shared: SharedActual,
    *,
    listed: list[Project] | None = None,
    workspace: str | None = None,
    take_over: str | None = None,
    organization_id: str | None = None,
) -> ActualCustomer:
    """`listed`: this customer's items of a projects-list read already made (no lookup then).

    A customer with `organization:` is looked for among `shared.organizations` (its child:
    `plan.orgs.identify` with `workspace` and `take_over`; `organization_id`: the child apply
    already knows, read again); every read of its project and what hangs off it is then made
    inside the child. No child yet: its project is looked for in the parent (a migrate)."""
    ext = spec.customerExternalId
    actual = ActualCustomer(customer_external_id=ext)
    whole: set[str] = set()  # ids of the rows already read by `GET /v1/projects/:id`
    if spec.github is not None:
        actual.github_installations = shared.github_installations
        actual.github_unchecked = shared.github_unchecked
    if spec.organization is not None:
        inside = await _observe_child(
            client, spec, shared, actual, workspace, take_over, organization_id
        )
        if inside is not None:
            scoped, found_inside = inside
            if actual.held:
                return actual  # suspended, and the kill switch answers the parent key too
            if _pick_project(found_inside, ext)[0] is not None:
                client, listed = scoped, found_inside
                # The project the child's record names was read whole (`GET …/:id`).
                recorded = orgs.project_of(actual.organization) if actual.organization else None
                whole = {p.id for p in found_inside if p.id == recorded}
            else:  # not moved into the child yet: a flat project in the parent is migrated
                actual.project_in_parent = True
        elif actual.foreign_organization is not None or actual.unstamped_organizations:
            return actual  # a conflict: nothing else is read
    found = await client.find_projects(ext) if listed is None else listed
    picked, others = _pick_project(found, ext)
    if picked is None:
        if spec.organization is None:
            actual.left_child = await _child_left(client, shared, ext, workspace, take_over)
        return actual  # a new customer: everything else is known after apply
    pid = picked.id
    actual.other_project_ids = others
    full = picked.id in whole or has_full_row(picked)
    project = picked if full else await client.get_project(pid)
    _refuse_unknown_status(project, ext)
    actual.project = project
    await _read_sections(client, spec, actual, pid)
    return actual


def _section_reads(
    client: LayersClient, spec: CustomerSpec, pid: str, project: Project, reserved: ReservedRecord
) -> dict[str, Awaitable[Any]]:
    """The reads of what the file's sections manage, by the `ActualCustomer` field each fills."""
    managed = spec.model_fields_set
    reads: dict[str, Awaitable[Any]] = {}
    if "approval" in managed and spec.approval is not None:
        reads["approval_policy"] = _approval_policy(client, pid, project, spec)
    if "influencer" in managed and spec.influencer is not None:
        reads["influencers"] = client.list_influencers(pid)
    if spec.social is not None or any(c.schedule for c in (spec.content or {}).values()):
        reads["social_accounts"] = client.list_social_accounts(pid)
    if spec.content is not None:
        reads["content"] = client.list_content(pid)
    if _needs_posts(spec, reserved):
        reads["scheduled_posts"] = client.list_scheduled_posts(pid)
    return reads


async def _read_sections(
    client: LayersClient, spec: CustomerSpec, actual: ActualCustomer, pid: str
) -> None:
    """Fill `actual` with what hangs off its project `pid`; the reads of one customer are
    independent: they are sent together."""
    assert actual.project is not None
    reads = _section_reads(client, spec, pid, actual.project, actual.reserved)
    try:
        async with asyncio.TaskGroup() as group:
            tasks = {name: group.create_task(_awaited(read)) for name, read in reads.items()}
    except BaseExceptionGroup as failed:
        raise leaf_exception(failed) from None
    for name, task in tasks.items():
        setattr(actual, name, task.result())


async def _observe_child(
    client: LayersClient,
    spec: CustomerSpec,
    shared: SharedActual,
    actual: ActualCustomer,
    workspace: str | None,
    take_over: str | None,
    organization_id: str | None,
) -> tuple[LayersClient, list[Project]] | None:
    """Identify the customer's child and read its wallet settings; the client view inside it and
    the project found there (None: no child of this customer's yet)."""
    assert spec.organization is not None
    ext = spec.customerExternalId
    children: list[Organization] | None = None
    if organization_id is not None:
        known = await client.get_organization(organization_id)
        # Archived meanwhile (by hand, or while apply waited): the customer gets a new child,
        # whose keys derive from all its archived children, so every child is read again.
        children = [known] if known.status != orgs.ARCHIVED else None
    if children is None:
        read = shared.organizations if organization_id is None else None
        children = read if read is not None else await client.list_organizations()
        actual.archived_organizations = orgs.archived_children(children, ext, workspace)
    found = orgs.identify(children, ext, workspace, take_over)
    actual.foreign_organization = found.foreign
    actual.unstamped_organizations = found.unstamped
    actual.duplicate_organizations = found.duplicates
    child = found.mine
    if child is None and found.foreign is None and not found.unstamped and workspace:
        child = await _unlabeled(client, children, ext, workspace)
    if child is None:
        return None
    actual.organization = child
    credits = spec.organization.credits
    reads: dict[str, Awaitable[Any]] = {}
    if credits is not None and credits.model_fields_set & {"monthlyCap", "autoRefill"}:
        reads["config"] = client.get_credit_config(child.id)
    recorded = orgs.recorded_transfers(child)
    wanted = {(t.id, t.credits) for t in (credits.transfers or [])} if credits else set()
    if not wanted <= recorded.items():
        reads["events"] = client.list_allocations(child.id)
    inside = client.inside(child.id)
    project_id = orgs.project_of(child)
    reads["project"] = (
        _recorded_project(inside, project_id, ext) if project_id else inside.find_projects(ext)
    )
    if child.status == orgs.SUSPENDED:
        reads["project"] = _unless_killed(reads["project"])
    results = await _together(reads)
    if results["project"] is None:
        actual.held = True
        results["project"] = []
    if "config" in results:
        actual.credit_config = results["config"].config or {}
    actual.transfers_done = orgs.carried_out(results["events"]) if "events" in results else recorded
    listed: list[Project] = results["project"]
    return inside, listed


async def _child_left(
    client: LayersClient,
    shared: SharedActual,
    ext: str,
    workspace: str | None,
    take_over: str | None,
) -> Organization | None:
    """A flat customer without a project in the parent: its child organization, stamped by this
    workspace, when one still holds it (the file lost its `organization:` block). Rev B only; a
    key without org:admin cannot have made one, so it reads none."""
    if shared.revision != "b" or not workspace:
        return None
    children = shared.organizations
    if children is None:
        try:
            children = await client.list_organizations()
        except AuthError as exc:
            if exc.code != "FORBIDDEN_SCOPE":
                raise
            return None
    return orgs.identify(children, ext, workspace, take_over).mine


async def _unlabeled(
    client: LayersClient, children: list[Organization], ext: str, workspace: str
) -> Organization | None:
    """A child carrying none of the tool's keys that holds this customer's project stamped by
    this workspace: the one a migrate made, in a run stopped before it was labelled (apply
    adopts it). Read only for a customer that has no child yet: one read per such child."""
    bare = [
        c
        for c in children
        if c.status != orgs.ARCHIVED
        and not c.meta(ORG_EXTERNAL_ID_KEY)
        and not c.meta(ORG_WORKSPACE_KEY)
    ]
    for child in bare:
        inside = client.inside(child.id)
        for row in await inside.find_projects(ext):
            if row.customer_external_id != ext:
                continue
            if "metadata" not in row.model_fields_set:
                row = await inside.get_project(row.id)
            stamp = reserved_of(row)
            if stamp is not None and stamp.get("workspace") == workspace:
                return child
    return None


async def _unless_killed(read: Awaitable[list[Project]]) -> list[Project] | None:
    """A read inside a suspended child; None when the API's kill switch answers the parent key
    there too (`503 KILL_SWITCH`: nothing inside can be read until the child is resumed)."""
    try:
        return await read
    except ApiServerError as exc:
        if exc.code != "KILL_SWITCH":
            raise
        return None


async def _recorded_project(client: LayersClient, project_id: str, ext: str) -> list[Project]:
    """The project the child's record names (a full row), else a lookup by customerExternalId."""
    try:
        row = await client.get_project(project_id)
    except NotFoundError:
        return await client.find_projects(ext)
    return [row] if row.customer_external_id == ext else await client.find_projects(ext)


async def _together(reads: dict[str, Awaitable[Any]]) -> dict[str, Any]:
    try:
        async with asyncio.TaskGroup() as group:
            tasks = {name: group.create_task(_awaited(read)) for name, read in reads.items()}
    except BaseExceptionGroup as failed:
        raise leaf_exception(failed) from None
    return {name: task.result() for name, task in tasks.items()}


async def _awaited(read: Awaitable[Any]) -> Any:
    return await read


async def _approval_policy(
    client: LayersClient, pid: str, project: Project, spec: CustomerSpec
) -> ApprovalPolicy:
    """The project row embeds the policy (guide step 4); read the policy itself only if it lacks a
    field. Rev B sets it apart, as the review policy, and shows it on the row too: read
    `/content-review-policy` only for a row without it. Both in the file's words."""
    assert spec.approval is not None
    if client.revision == "b":
        on_row = approval_on_row(project)
        words = on_row if on_row is not None else approval_of(await client.get_review_policy(pid))
        return ApprovalPolicy.model_validate(words)
    wanted = spec.approval.model_fields_set
    embedded = project.approval_policy
    if embedded is not None and wanted <= embedded.values().keys():
        return embedded
    return await client.get_approval_policy(pid)
