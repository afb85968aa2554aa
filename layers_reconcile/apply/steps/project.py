"""Guide step 1: the project — create (partner-supplied id), adopt, update, archive (--prune)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers_reconcile.apply.children import record_project
from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import RESERVED_VERSION, Reserved, reserved_of, with_reserved
from layers_reconcile.apply.steps.base import StepResult, record_canceled
from layers_reconcile.config.ignore import ignored_by
from layers_reconcile.errors import ConflictError
from layers_reconcile.plan.ids import (
    LAST_APPLIED,
    RESERVED_KEY,
    customer_of_project,
    project_id_for,
)
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import ProjectTarget
from layers_reconcile.records import Project
from layers_reconcile.statuses import POST_DONE

_SIMPLE = ("name", "timezone", "primaryLanguage", "ownerEmail")


def _stamp(ctx: CustomerContext) -> Reserved:
    stamp: Reserved = {"v": RESERVED_VERSION}
    if ctx.workspace:
        stamp["workspace"] = ctx.workspace
    stamp[LAST_APPLIED] = ctx.applied_at()
    return stamp


async def create(ctx: CustomerContext, step: Step, target: ProjectTarget) -> StepResult:
    spec = ctx.spec.project
    # Rev A takes a partner-chosen id (a natural key); Rev B chooses its own (`prj_…`), and the
    # project is found again by its customerExternalId.
    body: dict[str, Any] = {"id": project_id_for(ctx.customer)} if ctx.api.revision == "a" else {}
    body |= {
        "name": spec.name,
        "customerExternalId": ctx.customer,
        "timezone": spec.timezone or "UTC",
    }
    for name in ("primaryLanguage", "ownerEmail"):
        value = getattr(spec, name)
        if value is not None:
            body[name] = value
    body["metadata"] = with_reserved(dict(spec.metadata or {}), _stamp(ctx))
    try:
        project = await ctx.api.create_project(body, ctx.idempotency_key("project", body))
    except ConflictError:
        # The external id is taken (another run won the race, or an archived project holds it):
        # look the project up and let the next round adopt or update it.
        found = await ctx.api.find_projects(ctx.customer)
        if not found:
            raise
        mine = [p for p in found if p.id == body.get("id")]
        project = (mine or found)[0]
        ctx.project_id = project.id
        return StepResult(detail=f"found existing project {ctx.project_id}")
    ctx.project_id = project.id
    ctx.remember(project)
    await record_project(ctx, project.id)  # inside a child: noted on the child
    return StepResult(detail=f"created project {ctx.project_id}")


async def adopt(ctx: CustomerContext, step: Step, target: ProjectTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    previous: list[str | None] = []

    def stamp(reserved: Reserved) -> None:
        previous.append(reserved.get("workspace"))
        reserved["v"] = RESERVED_VERSION
        if ctx.workspace:
            reserved["workspace"] = ctx.workspace

    await ctx.update_reserved(stamp)
    was = previous[0] if previous else None
    return StepResult(detail=f"adopted (was {was!r})" if was else "adopted")


async def update(ctx: CustomerContext, step: Step, target: ProjectTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    spec = ctx.spec.project
    managed = spec.model_fields_set
    fields = {c.field.split(".")[0] for c in step.changes}
    body: dict[str, Any] = {}
    for name in _SIMPLE:
        if name in managed and (name in fields or not fields):
            body[name] = getattr(spec, name)
    if fields & {"status", "archived"}:
        body["status"] = "active"
    if "metadata" in managed and ("metadata" in fields or not fields):
        async with ctx.reserved_lock:  # the record as this run knows it goes along
            project = await ctx.latest_project()
            metadata = _keep_ignored(dict(spec.metadata or {}), project, ctx.spec.ignore or ())
            body["metadata"] = with_reserved(metadata, await ctx.reserved())
            await ctx.patch_project(body)
            ctx.record_written()
    elif body:
        await ctx.patch_project(body)
    return StepResult(detail="updated " + ", ".join(sorted(body)) if body else "nothing to update")


def _keep_ignored(
    metadata: dict[str, Any], project: Project | None, ignore: Sequence[str]
) -> dict[str, Any]:
    """The file's metadata with each key that `ignore:` names as Layers has it (the PATCH
    replaces the whole mapping, so an ignored key must be sent back unchanged)."""
    if not ignore:
        return metadata
    current = (project.metadata if project else None) or {}
    keys = set(metadata) | set(current)
    for key in keys - {RESERVED_KEY}:
        if ignored_by(ignore, f"project.metadata.{key}") is None:
            continue
        if key in current:
            metadata[key] = current[key]
        else:
            metadata.pop(key, None)
    return metadata


async def archive(ctx: CustomerContext, step: Step, target: ProjectTarget) -> StepResult:
    project_id = target.projectId or ctx.project_id
    if not project_id:
        raise StepError("no project to archive")
    ctx.project_id = project_id
    project = await ctx.project()
    reserved = reserved_of(project)
    if not ctx.workspace or reserved.get("workspace") != ctx.workspace:
        raise StepError(
            f"project {project_id} is not stamped by workspace {ctx.workspace!r}; not archived",
            recovery="archive it by hand if it really should go",
        )
    owner = customer_of_project(project)
    if owner != ctx.customer:  # a saved plan edited, or the project relabelled since
        raise StepError(
            f"project {project_id} is customer {owner!r}'s, not the orphan "
            f"{ctx.customer!r}'s; not archived",
            recovery="plan again (`plan --prune --out FILE`) and apply the new plan",
        )
    if project.status == "archived":
        return StepResult(detail="already archived", changed=False)
    # Archiving cancels the queued posts: recorded first as canceled by this tool, so that a
    # file put back posts them again rather than reporting drift (as cancel_post does).
    posts = await ctx.api.list_scheduled_posts(ctx.project_id)
    live = [p.id for p in posts if p.status not in POST_DONE]
    if live:
        await ctx.update_reserved(record_canceled(*live))
    await ctx.api.archive_project(ctx.project_id)
    return StepResult(detail="archived")
