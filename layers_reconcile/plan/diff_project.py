"""The project-level stages of the diff: the project itself, its approval policy, its brand."""

from __future__ import annotations

from typing import Any

from layers_reconcile import revb
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import changes, created, unknown_before
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.plan.model import Action, Change
from layers_reconcile.plan.targets import ApprovalTarget, BrandTarget, ProjectTarget
from layers_reconcile.records import Project

# ---------------------------------------------------------------------------------- project


_FACT_KEYS = ("id", "name", "status", "timezone", "primaryLanguage", "ownerEmail", "metadata")


def project_facts(project: Project | None) -> Any:
    return None if project is None else _facts(_row(project))


def _row(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json", by_alias=True)


def _facts(row: dict[str, Any]) -> dict[str, Any]:
    """What the project's fingerprint is of, from its row as JSON (`_row`)."""
    return {k: row.get(k) for k in _FACT_KEYS}


def user_metadata(project: Project | None) -> dict[str, Any]:
    meta = (project.metadata if project else None) or {}
    return {k: v for k, v in meta.items() if k != RESERVED_KEY}


def diff_project(ctx: Ctx) -> None:
    address = ctx.addr("project")
    desired = ctx.spec.project.model_dump(exclude_unset=True)
    row = None if ctx.project is None else _row(ctx.project)  # dumped once: fingerprint, diff
    facts = None if row is None else _facts(row)
    ctx.seen(address, {"project": facts, "others": ctx.actual.other_project_ids})
    if ctx.project is None or row is None:
        body = {"customerExternalId": ctx.ext, **desired}
        body.setdefault("timezone", "UTC")  # the API requires one; PRODUCT §3
        ctx.add(
            ctx.step(
                address,
                Action.CREATE,
                ProjectTarget(),
                changes=created(body),
                reason=f"no project has customerExternalId {ctx.ext!r}",
            )
        )
        return
    if ctx.actual.other_project_ids:
        ctx.warnings.append(
            f"{len(ctx.actual.other_project_ids) + 1} projects have customerExternalId "
            f"{ctx.ext!r}; planning against {ctx.pid} ({', '.join(ctx.actual.other_project_ids)} ignored)"
        )
    actual = {**row, "metadata": user_metadata(ctx.project)}
    found = ctx.keep(address, changes(desired, actual, expand=("metadata",)))
    if ctx.project.status == "archived":
        found.insert(0, Change(field="status", before="archived", after="active"))
    stamp = ctx.reserved
    workspace = ctx.settings.workspace
    if stamp and stamp.get("workspace") == workspace:
        if found:
            target = ProjectTarget(projectId=ctx.pid)
            ctx.add(ctx.step(address, Action.UPDATE, target, changes=found))
        return
    # Adopting writes the stamp; the same PATCH carries the managed fields that differ.
    owner = stamp.get("workspace") if stamp else None
    ctx.add(
        ctx.step(
            address,
            Action.ADOPT,
            ProjectTarget(projectId=ctx.pid),
            changes=[
                Change(field=f"metadata.{RESERVED_KEY}.workspace", before=owner, after=workspace),
                *found,
            ],
            reason=(
                f"found by customerExternalId but stamped by workspace {owner!r}"
                if stamp
                else "found by customerExternalId, not yet managed by this tool"
            ),
            warnings=(
                [f"takes the project over from workspace {owner!r} (--take-over {owner})"]
                if stamp and owner
                else []
            ),
        )
    )


# --------------------------------------------------------------------------------- approval


def diff_approval_policy(ctx: Ctx) -> None:
    if ctx.spec.approval is None:
        return
    desired = ctx.spec.approval.model_dump(exclude_unset=True)
    if ctx.revision == "b":  # Rev B has no timer: config.revision warns (or refuses, pinned)
        desired = {k: v for k, v in desired.items() if k not in revb.REV_A_ONLY}
    if not desired:
        return
    address = ctx.addr("approval")
    read = ctx.actual.approval_policy
    policy = None if read is None else read.values()  # compared by the file's names, as sent
    if ctx.revision == "b" and policy is not None:
        desired = revb.as_stored(desired, policy)
    ctx.seen(address, None if policy is None else {k: policy.get(k) for k in desired})
    found = (
        unknown_before(desired)
        if ctx.project is None
        else ctx.keep(address, changes(desired, policy or {}))
    )
    if found:
        target = ApprovalTarget(projectId=ctx.pid)
        ctx.add(ctx.step(address, Action.UPDATE, target, changes=found))


# ------------------------------------------------------------------------------------ brand


def diff_brand(ctx: Ctx) -> None:
    if ctx.spec.brand is None:
        return
    desired = ctx.spec.brand.model_dump(exclude_unset=True)
    if ctx.revision == "b":  # what Rev B cannot take: config.revision warns (or refuses, pinned)
        desired = revb.brand_sendable_b(desired)
    if not desired:
        return
    address = ctx.addr("brand")
    if ctx.revision == "b":
        context = revb.brand_of_b(ctx.project.raw()) if ctx.project else {}
    else:
        context = (ctx.project.brand_context if ctx.project else None) or {}
    ctx.seen(address, {k: context.get(k) for k in desired} if ctx.project else None)
    if ctx.project is None or ctx.ingest_pending:
        found = unknown_before(desired)
        reason = (
            "the project is created first"
            if ctx.project is None
            else "the ingest rewrites the brand context first"
        )
    else:
        found = ctx.keep(address, changes(desired, context))
        reason = None
    if found:
        target = BrandTarget(projectId=ctx.pid)
        ctx.add(ctx.step(address, Action.UPDATE, target, changes=found, reason=reason))
