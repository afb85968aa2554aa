"""The organization stages of one customer's diff: its child organization (create, migrate,
update, suspend/resume), the child's credit config, and each transfer of credits (Rev B).

Pure, like the rest of the diff. Money is irreversible: a transfer is a step of its own with its
credits, planned only while the child's ledger (or the tool's record of it) lacks its id; a
carried-out entry removed or edited moves nothing back, and the plan says so.

Addresses: `ID/organization` (create | migrate | adopt | update), `ID/organization/credits`
(update), `ID/organization/status` (suspend | resume), `ID/organization/transfers/TID`
(allocate); an orphan child's archive is `ID/organization` of its own plan.
"""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.fieldtypes import (
    ORG_EXTERNAL_ID_KEY,
    ORG_PROJECT_KEY,
    ORG_WORKSPACE_KEY,
)
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.organization import OrganizationSpec
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import changes, created, fingerprint
from layers_reconcile.plan.model import (
    RESUME_BY_HAND,
    Action,
    Change,
    Conflict,
    CustomerPlan,
    PersonGate,
    Step,
    StepKind,
)
from layers_reconcile.plan.orgs import SUSPENDED, customer_of, partner_metadata, project_of
from layers_reconcile.plan.targets import OrganizationTarget, TransferTarget
from layers_reconcile.records import Organization

# The file's names of the credit config → the API's (CONTRACT-revb §2.1 C5).
CONFIG_FIELDS = ("monthlyCreditCap", "refillThreshold", "refillAmount")


def desired_config(spec: OrganizationSpec) -> dict[str, Any]:
    """The credit config the file manages, by the API's names (null clears)."""
    credits = spec.credits
    if credits is None:
        return {}
    wanted: dict[str, Any] = {}
    given = credits.model_fields_set
    if "monthlyCap" in given:
        wanted["monthlyCreditCap"] = credits.monthlyCap
    if "autoRefill" in given:
        refill = credits.autoRefill
        wanted["refillThreshold"] = refill.threshold if refill else None
        wanted["refillAmount"] = refill.amount if refill else None
    return wanted


def desired_child(customer: CustomerSpec) -> dict[str, Any]:
    """The child's own fields the file manages (its name defaults to the project's)."""
    spec = customer.organization
    assert spec is not None
    body: dict[str, Any] = {"name": spec.name or customer.project.name}
    if spec.billingEmail is not None:
        body["billingEmail"] = spec.billingEmail
    if spec.metadata is not None:
        body["metadata"] = dict(spec.metadata)
    return body


def _facts(child: Organization | None) -> Any:
    if child is None:
        return None
    return child.model_dump(
        mode="json", by_alias=True, include={"id", "name", "status", "metadata", "billing_email"}
    )


def organization_conflict(ctx: Ctx) -> Conflict | None:
    """A child naming this customer stamped by another workspace: never touched without
    `--take-over THAT-WORKSPACE`. Nor does the tool act beside a child it cannot call its one
    and only: an unstamped child naming the customer (a second child would be made and funded
    again), two stamped ones, or a child still holding a customer whose file dropped
    `organization:` (a second project would be made in the parent)."""
    foreign = ctx.actual.foreign_organization
    if foreign is None:
        return _ambiguous_child(ctx)
    owner = foreign.meta(ORG_WORKSPACE_KEY) or ""
    ctx.seen(ctx.addr("organization"), {"organization": _facts(foreign)})
    return Conflict(
        workspace=owner,
        project_id=foreign.id,
        message=(
            f"child organization {foreign.id} is managed by workspace {owner!r}; apply refuses "
            f"this customer. Remove the file from one of the workspaces, or take it over with "
            f"`--take-over {owner}`"
        ),
    )


def _ambiguous_child(ctx: Ctx) -> Conflict | None:
    if ctx.spec.organization is None:
        return _left_child(ctx)
    return _unstamped_child(ctx) or _child_beside_flat_project(ctx) or _stamped_twice(ctx)


def _left_child(ctx: Ctx) -> Conflict | None:
    """The file dropped `organization:` while the customer lives in a child."""
    child = ctx.actual.left_child
    if child is None:
        return None
    ctx.seen(ctx.addr("organization"), {"organization": _facts(child)})
    held = project_of(child)
    return Conflict(
        workspace=ctx.settings.workspace or "",
        project_id=held or child.id,
        message=(
            f"customer {ctx.ext!r} lives in child organization {child.id}"
            + (f" (its project {held} is inside it)" if held else "")
            + ", but the file has no `organization:` block; apply refuses this customer "
            "rather than make a second project in the parent. The API moves no project "
            "back out of a child"
        ),
        recovery="put the `organization:` block back in the file; to offboard the "
        "customer, delete its file and apply with --prune (archives the child)",
    )


def _unstamped_child(ctx: Ctx) -> Conflict | None:
    """A child names the customer but no workspace stamped it."""
    actual = ctx.actual
    if actual.organization is not None or not actual.unstamped_organizations:
        return None
    found = actual.unstamped_organizations
    workspace = ctx.settings.workspace or ""
    ctx.seen(ctx.addr("organization"), {"unstamped": found})
    return Conflict(
        workspace="",
        project_id=found[0],
        message=(
            f"child organization {found[0]} names customer {ctx.ext!r} but carries no "
            "workspace stamp; apply refuses this customer rather than make (and fund) a "
            "second child beside it"
        ),
        recovery=f"if it is this customer's child, stamp it: PATCH /v1/organizations/"
        f'{found[0]} with metadata {{"{ORG_WORKSPACE_KEY}": "{workspace}"}}; if it is '
        f"not, change its metadata.{ORG_EXTERNAL_ID_KEY}",
    )


def _child_beside_flat_project(ctx: Ctx) -> Conflict | None:
    """This workspace's child exists, but the customer's project is still in the parent."""
    child, project = ctx.actual.organization, ctx.project
    if child is None or not ctx.actual.project_in_parent or project is None:
        return None
    # The API's migrate makes a new child of each mapping value (its name): no project
    # moves into a child that exists, so this one and the project cannot be joined.
    ctx.seen(ctx.addr("organization"), {"organization": _facts(child)})
    return Conflict(
        workspace=ctx.settings.workspace or "",
        project_id=child.id,
        message=(
            f"child organization {child.id} carries this workspace's stamp for customer "
            f"{ctx.ext!r} but not its project {project.id}, which is still flat in the "
            "parent; apply refuses this customer rather than make a second child. The "
            "API's migrate moves a project only into a new child, never into one that exists"
        ),
        recovery=f"archive child organization {child.id} by hand (POST /v1/organizations/"
        f"{child.id}/archive: its unreserved credits go back to the parent), then apply "
        "again: the project moves into a new child, labelled, and the transfers are carried "
        "out there",
    )


def _stamped_twice(ctx: Ctx) -> Conflict | None:
    """More than one child carries this workspace's stamp for the customer."""
    actual = ctx.actual
    if actual.organization is None or not actual.duplicate_organizations:
        return None
    workspace = ctx.settings.workspace or ""
    both = [actual.organization.id, *actual.duplicate_organizations]
    ctx.seen(ctx.addr("organization"), {"stamped": both})
    return Conflict(
        workspace=workspace,
        project_id=both[0],
        message=(
            f"child organizations {', '.join(both)} all carry the stamp of workspace "
            f"{workspace!r} for customer {ctx.ext!r}; apply refuses this customer (which "
            "one holds its project and its credits is not for the tool to guess)"
        ),
        recovery=f"keep one: remove metadata.{ORG_WORKSPACE_KEY} from the others (or archive them)",
    )


def diff_organization(ctx: Ctx) -> None:
    """The steps that bring the customer's child organization to the file (none: flat)."""
    spec = ctx.spec.organization
    if spec is None:
        return
    actual = ctx.actual
    child = actual.organization
    address = ctx.addr("organization")
    ctx.seen(
        address,
        {
            "organization": _facts(child),
            "config": actual.credit_config,
            "transfers": actual.transfers_done,
        },
    )
    if actual.held and child is not None:
        ctx.warnings.append(
            f"child organization {child.id} is suspended and the API's kill switch answers the "
            "parent key inside it too: its project, content and posts are neither read nor "
            "changed until it is resumed"
        )
    elif child is not None and child.status == SUSPENDED and spec.suspended is None:
        ctx.warnings.append(
            f"child organization {child.id} is suspended, and the file does not manage "
            "`suspended:` (someone suspended it by hand): the parent key still acts inside it, "
            "but nothing is spent there (no generation) until it is resumed"
        )
    for other in actual.unstamped_organizations:
        ctx.warnings.append(
            f"child organization {other} names customer {ctx.ext!r} but carries no workspace "
            "stamp: not this workspace's, never touched"
        )
    wanted = desired_child(ctx.spec)
    if child is None:
        _new_child(ctx, address, wanted)
    else:
        _existing_child(ctx, address, child, wanted)
    _config(ctx, spec, child)
    _status(ctx, spec, child)
    _transfers(ctx, spec, child)


def _new_child(ctx: Ctx, address: str, wanted: dict[str, Any]) -> None:
    project = ctx.project
    if project is None:
        archived = ctx.actual.archived_organizations or []
        ctx.add(
            ctx.step(
                address,
                Action.CREATE,
                OrganizationTarget(projectId=ctx.pid),
                changes=created(wanted),
                reason=f"no live child organization is stamped for customer {ctx.ext!r}"
                if archived
                else f"no child organization is stamped for customer {ctx.ext!r}",
                warnings=[_archived_before(archived)] if archived else [],
            )
        )
        return
    _migrate(ctx, address, wanted)


def _archived_before(archived: list[Organization]) -> str:
    """What becomes of a customer's archived children when the customer comes back."""

    def named(child: Organization) -> str:
        held = project_of(child)
        return f"{child.id} ({child.name!r}" + (f", with its project {held})" if held else ")")

    were = (
        f"child organization {named(archived[0])} was this customer's and is archived: it "
        "stays archived"
        if len(archived) == 1
        else f"child organizations {', '.join(named(c) for c in archived)} were this "
        "customer's and are archived: they stay archived"
    )
    return (
        f"{were} (archive is terminal; the API reaches nothing inside). A new child is made, "
        "the customer's project is created anew inside it, and the file's transfers move "
        "credits into it (an archive sweeps the child's credits back to the parent)"
    )


def _migrate(ctx: Ctx, address: str, wanted: dict[str, Any]) -> None:
    """The project is flat in the parent: the migrate moves it into a new child (the API makes
    one of each mapping value, its name; a stamped child beside it is a conflict)."""
    project = ctx.project
    assert project is not None
    into = f"a new child organization {wanted['name']!r}"
    ctx.add(
        ctx.step(
            address,
            Action.MIGRATE,
            OrganizationTarget(projectId=ctx.pid),
            changes=created(wanted),
            reason=f"project {project.id} is flat in the parent organization; the file puts "
            "the customer in a child organization of its own",
            warnings=[
                f"moves project {project.id} (its content, accounts and posts) out of the "
                f"parent into {into}; removing `organization:` later does not move it back. "
                "The API refuses it while a job runs in the project: apply waits for the job"
            ],
        )
    )


def _existing_child(ctx: Ctx, address: str, child: Organization, wanted: dict[str, Any]) -> None:
    actual: dict[str, Any] = {
        "name": child.name,
        "billingEmail": child.billing_email,
        "metadata": partner_metadata(child),
    }
    found = changes(wanted, actual, expand=("metadata",))
    recorded = project_of(child)
    if ctx.project is not None and not ctx.actual.project_in_parent and recorded != ctx.pid:
        # The tool's note of the project inside the child (a run stopped before writing it).
        found.append(Change(field=f"metadata.{ORG_PROJECT_KEY}", before=recorded, after=ctx.pid))
    target = OrganizationTarget(projectId=ctx.pid, organizationId=child.id)
    owner = child.meta(ORG_WORKSPACE_KEY)
    if owner != ctx.settings.workspace:
        label = []
        if child.meta(ORG_EXTERNAL_ID_KEY) != ctx.ext:
            label.append(
                Change(
                    field=f"metadata.{ORG_EXTERNAL_ID_KEY}",
                    before=child.meta(ORG_EXTERNAL_ID_KEY),
                    after=ctx.ext,
                )
            )
        ctx.add(
            ctx.step(
                address,
                Action.ADOPT,
                target,
                changes=[
                    *label,
                    Change(
                        field=f"metadata.{ORG_WORKSPACE_KEY}",
                        before=owner,
                        after=ctx.settings.workspace,
                    ),
                    *found,
                ],
                reason=f"--take-over {owner}: child organization {child.id} becomes this "
                "workspace's"
                if owner
                else f"child organization {child.id} holds this customer's project but carries "
                "no label (a migrate stopped before the tool labelled the child it made)",
            )
        )
    elif found:
        ctx.add(
            ctx.step(
                address,
                Action.UPDATE,
                target,
                changes=found,
                reason="the child organization differs from the file",
            )
        )


def _config(ctx: Ctx, spec: OrganizationSpec, child: Organization | None) -> None:
    wanted = desired_config(spec)
    if not wanted:
        return
    if child is None:
        found = [Change(field=k, before=None, after=v) for k, v in wanted.items() if v is not None]
    else:
        found = changes(wanted, ctx.actual.credit_config or {})
    if not found:
        return
    ctx.add(
        ctx.step(
            ctx.addr("organization", "credits"),
            Action.UPDATE,
            OrganizationTarget(projectId=ctx.pid, organizationId=child.id if child else None),
            changes=found,
            reason="the child's spending cap or auto-refill differs from the file",
        )
    )


def _status(ctx: Ctx, spec: OrganizationSpec, child: Organization | None) -> None:
    if spec.suspended is None:
        _wait_for_a_resume(ctx, child)
        return
    status = child.status if child is not None else "active"
    want = "suspended" if spec.suspended else "active"
    if status == want:
        return
    action = Action.SUSPEND if spec.suspended else Action.RESUME
    ctx.add(
        ctx.step(
            ctx.addr("organization", "status"),
            action,
            OrganizationTarget(projectId=ctx.pid, organizationId=child.id if child else None),
            changes=[Change(field="status", before=status, after=want)],
            reason="suspended: true is the kill switch (the child's own keys stop)"
            if spec.suspended
            else "suspended: false resumes the child",
        )
    )


def _wait_for_a_resume(ctx: Ctx, child: Organization | None) -> None:
    """A child someone suspended by hand, behind a kill switch that answers the parent key too,
    while the file does not manage `suspended:`: nothing inside it can be read or changed, so the
    customer waits on a person (who resumes it), not "in sync"."""
    if child is None or not ctx.actual.held:
        return
    how = (
        f"resume child organization {child.id} ({child.name!r}): POST /v1/organizations/"
        f"{child.id}/resume, or write `suspended: false` under `organization:` in the "
        "customer's file and apply resumes it"
    )
    ctx.add(
        ctx.step(
            ctx.addr("organization", "status"),
            Action.WAIT_ON_PERSON,
            OrganizationTarget(projectId=ctx.pid, organizationId=child.id),
            person=PersonGate(kind=RESUME_BY_HAND, message=how),
            reason="the child organization was suspended by hand and the file does not manage "
            "`suspended:`; its project, content and posts wait until it is resumed",
        )
    )


def _transfers(ctx: Ctx, spec: OrganizationSpec, child: Organization | None) -> None:
    entries = (spec.credits.transfers if spec.credits else None) or []
    done = ctx.actual.transfers_done or {}
    named = {t.id for t in entries}
    for entry in entries:
        carried = done.get(entry.id)
        if carried is not None:
            if carried != entry.credits:
                ctx.warnings.append(
                    f"transfer {entry.id!r} was carried out with {carried} credits; the file "
                    f"now says {entry.credits}: nothing more moves and nothing moves back "
                    "(a transfer with a new id moves more)"
                )
            continue
        ctx.add(
            ctx.step(
                ctx.addr("organization", "transfers", entry.id),
                Action.ALLOCATE,
                TransferTarget(
                    projectId=ctx.pid,
                    organizationId=child.id if child else None,
                    transferId=entry.id,
                    credits=entry.credits,
                ),
                changes=[Change(field="credits", before=None, after=entry.credits)],
                reason=f"moves {entry.credits} credits from the parent to the child, once",
                warnings=[
                    "money: irreversible; carried out exactly once (its id is on the "
                    "child's ledger)"
                ],
            )
        )
    for ident in sorted(set(done) - named):
        ctx.warnings.append(
            f"transfer {ident!r} ({done[ident]} credits) was carried out and is no longer in "
            "the file: removing it moves nothing back"
        )


def archive_child_plan(child: Organization, *, workspace: str | None) -> CustomerPlan:
    """`--prune`: a child organization stamped by this workspace whose customer file is gone."""
    ext = customer_of(child)
    address = f"{ext}/organization"
    balance = child.summary.available if child.summary else None
    back = "its unreserved balance" if balance is None else f"{balance} credits"
    step = Step(
        address=address,
        kind=StepKind.ORGANIZATION,
        action=Action.ARCHIVE,
        changes=[Change(field="status", before=child.status or "active", after="archived")],
        reason=f"no customer file names it and workspace {workspace!r} stamped it",
        warnings=[
            f"archives child organization {child.name!r} for good: its keys are revoked, its "
            f"queued posts canceled, and {back} swept back to the parent"
        ],
        target=OrganizationTarget(organizationId=child.id),
    )
    return CustomerPlan(
        customer_external_id=ext,
        project_id=None,
        steps=[step],
        actual_fingerprints={address: fingerprint(_facts(child))},
    )
