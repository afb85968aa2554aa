"""The pure diff: (desired, actual) → the ordered steps of one customer. No I/O; `now` is given.

Only fields the file writes are compared (`model_dump(exclude_unset=True)`), so a server-side
default never shows up. Values that exist only after an earlier step of the same apply are
"known after apply". Each address also gets a fingerprint of the facts it was computed from, so
`apply PLANFILE` can refuse a stale resource one by one. The step catalogue is docs/design.md.
"""

from __future__ import annotations

from datetime import datetime

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.context import Ctx, Loaded
from layers_reconcile.plan.diff_content import diff_content
from layers_reconcile.plan.diff_github import diff_github, diff_ingest
from layers_reconcile.plan.diff_influencer import diff_influencer
from layers_reconcile.plan.diff_org import diff_organization, organization_conflict
from layers_reconcile.plan.diff_project import (
    diff_approval_policy,
    diff_brand,
    diff_project,
    project_facts,
)
from layers_reconcile.plan.diff_social import diff_social
from layers_reconcile.plan.fields import fingerprint
from layers_reconcile.plan.ids import customer_of_project
from layers_reconcile.plan.model import (
    Action,
    Change,
    Conflict,
    CustomerPlan,
    Orphan,
    Plan,
    Step,
    StepKind,
)
from layers_reconcile.plan.stages import stage_of
from layers_reconcile.plan.targets import ProjectTarget
from layers_reconcile.records import Project


def diff_customer(
    loaded: Loaded,
    actual: ActualCustomer,
    settings: WorkspaceSpec,
    *,
    now: datetime,
    take_over: str | None = None,
    revision: ApiRevision = "a",
) -> CustomerPlan:
    """The steps that converge one customer, in the order of PRODUCT.md §6, in the words of
    the API `revision` the run speaks.

    A project stamped by another workspace is a conflict (no step at all) unless `take_over`
    names that workspace.
    """
    ctx = Ctx(
        spec=loaded.spec,
        actual=actual,
        settings=settings,
        now=now,
        take_over=take_over,
        revision=revision,
    )
    conflict = organization_conflict(ctx) or _conflict(ctx)
    if conflict is not None:
        return CustomerPlan(
            customer_external_id=ctx.ext,
            project_id=ctx.pid,
            file=None if loaded.path is None else str(loaded.path),
            desired_fingerprint=loaded.fingerprint,
            actual_fingerprints=dict(sorted(ctx.fingerprints.items())),
            conflict=conflict,
        )
    diff_organization(ctx)
    if not actual.held:
        diff_project(ctx)
        diff_approval_policy(ctx)
        diff_github(ctx)
        diff_ingest(ctx)
        diff_brand(ctx)
        diff_influencer(ctx)
        diff_social(ctx)
        diff_content(ctx)
    steps = sorted(ctx.steps, key=lambda s: (stage_of(s), s.address))
    return CustomerPlan(
        customer_external_id=ctx.ext,
        project_id=ctx.pid,
        file=None if loaded.path is None else str(loaded.path),
        organization_id=actual.organization.id if actual.organization else None,
        archived_organization_ids=[c.id for c in actual.archived_organizations or []] or None,
        timezone=loaded.spec.project.timezone
        or (actual.project.timezone if actual.project else None),
        steps=steps,
        desired_fingerprint=loaded.fingerprint,
        actual_fingerprints=dict(sorted(ctx.fingerprints.items())),
        warnings=ctx.warnings,
        ignored=ctx.ignored,
    )


def archive_plan(project: Project, *, workspace: str | None) -> CustomerPlan:
    """`--prune`: a project stamped by this workspace whose customer file is gone."""
    ext = customer_of_project(project)
    address = f"{ext}/project"
    step = Step(
        address=address,
        kind=StepKind.PROJECT,
        action=Action.ARCHIVE,
        changes=[Change(field="status", before=project.status or "active", after="archived")],
        reason=f"no customer file names it and workspace {workspace!r} stamped it",
        warnings=[f"archives project {project.name!r}: its queued posts are canceled"],
        target=ProjectTarget(projectId=project.id),
    )
    return CustomerPlan(
        customer_external_id=ext,
        project_id=project.id,
        steps=[step],
        actual_fingerprints={address: fingerprint(project_facts(project))},
    )


def build_plan(
    customers: list[CustomerPlan],
    *,
    now: datetime,
    workspace: str | None = None,
    workspace_root: str | None = None,
    api_url: str | None = None,
    parallelism: int = 8,
    warnings: list[str] | None = None,
    orphans: list[Orphan] | None = None,
    take_over: str | None = None,
    api_revision: ApiRevision | None = None,
) -> Plan:
    return Plan(
        created_at=now,
        api_revision=api_revision,
        workspace=workspace,
        workspace_root=workspace_root,
        api_url=api_url,
        parallelism=parallelism,
        customers=customers,
        orphans=orphans,
        take_over=take_over,
        warnings=warnings or [],
    )


def _conflict(ctx: Ctx) -> Conflict | None:
    """Another workspace stamped this project: taking it needs `--take-over THAT-WORKSPACE`."""
    if ctx.project is None:
        return None
    owner = ctx.reserved.get("workspace")
    if not owner or owner == ctx.settings.workspace or owner == ctx.take_over:
        return None
    ctx.seen(ctx.addr("project"), {"project": project_facts(ctx.project)})
    return Conflict(
        workspace=str(owner),
        project_id=str(ctx.pid),
        message=(
            f"project {ctx.pid} is managed by workspace {owner!r}; apply refuses this customer. "
            f"Remove the file from one of the workspaces, or take it over with "
            f"`--take-over {owner}`"
        ),
    )
