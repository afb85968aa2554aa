"""The pure diff: (desired, actual) → the ordered steps of one customer. No I/O; `now` is given.

Only fields the file writes are compared (`model_dump(exclude_unset=True)`), so a server-side
default never shows up. Values that exist only after an earlier step of the same apply are
"known after apply". Each address also gets a fingerprint of the facts it was computed from, so
`apply PLANFILE` can refuse a stale resource one by one. The step catalogue is docs/design.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from layers_reconcile import revb
from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.models import InfluencerSpec, WorkspaceSpec
from layers_reconcile.guidance import ingest_fix
from layers_reconcile.plan import estimates
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.context import Ctx, Loaded
from layers_reconcile.plan.diff_content import diff_content
from layers_reconcile.plan.diff_org import diff_organization, organization_conflict
from layers_reconcile.plan.fields import changes, created, fingerprint, unknown_before
from layers_reconcile.plan.ids import RESERVED_KEY, same_id
from layers_reconcile.plan.influencers import file_influencer, file_influencer_label
from layers_reconcile.plan.installations import covering, covers, registered
from layers_reconcile.plan.links import github_key, outstanding, recorded, social_key
from layers_reconcile.plan.model import (
    Action,
    Change,
    Conflict,
    CustomerPlan,
    Orphan,
    PersonGate,
    Plan,
    Step,
    StepKind,
    Target,
)
from layers_reconcile.plan.stages import stage_of
from layers_reconcile.records import Project
from layers_reconcile.statuses import INFLUENCER_BUSY, INGEST_RUNNING


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
        _project(ctx)
        _approval(ctx)
        _github(ctx)
        _ingest(ctx)
        _brand(ctx)
        _influencer(ctx)
        _social(ctx)
        diff_content(ctx)
    steps = sorted(ctx.steps, key=lambda s: (stage_of(s), s.address))
    return CustomerPlan(
        customer_external_id=ctx.ext,
        project_id=ctx.pid,
        file=None if loaded.path is None else str(loaded.path),
        organization_id=actual.organization.id if actual.organization else None,
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
    ext = project.customer_external_id or project.id
    address = f"{ext}/project"
    step = Step(
        address=address,
        kind=StepKind.PROJECT,
        action=Action.ARCHIVE,
        changes=[Change(field="status", before=project.status or "active", after="archived")],
        reason=f"no customer file names it and workspace {workspace!r} stamped it",
        warnings=[f"archives project {project.name!r}: its queued posts are canceled"],
        target={"projectId": project.id},
    )
    return CustomerPlan(
        customer_external_id=ext,
        project_id=project.id,
        steps=[step],
        actual_fingerprints={address: fingerprint(_project_facts(project))},
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


# ---------------------------------------------------------------------------------- project


def _project_facts(project: Project | None) -> Any:
    if project is None:
        return None
    row = project.model_dump(mode="json", by_alias=True)
    keys = ("id", "name", "status", "timezone", "primaryLanguage", "ownerEmail", "metadata")
    return {k: row.get(k) for k in keys}


def user_metadata(project: Project | None) -> dict[str, Any]:
    meta = (project.metadata if project else None) or {}
    return {k: v for k, v in meta.items() if k != RESERVED_KEY}


def _conflict(ctx: Ctx) -> Conflict | None:
    """Another workspace stamped this project: taking it needs `--take-over THAT-WORKSPACE`."""
    if ctx.project is None:
        return None
    owner = ctx.reserved.get("workspace")
    if not owner or owner == ctx.settings.workspace or owner == ctx.take_over:
        return None
    ctx.seen(ctx.addr("project"), {"project": _project_facts(ctx.project)})
    return Conflict(
        workspace=str(owner),
        project_id=str(ctx.pid),
        message=(
            f"project {ctx.pid} is managed by workspace {owner!r}; apply refuses this customer. "
            f"Remove the file from one of the workspaces, or take it over with "
            f"`--take-over {owner}`"
        ),
    )


def _project(ctx: Ctx) -> None:
    address = ctx.addr("project")
    desired = ctx.spec.project.model_dump(exclude_unset=True)
    ctx.seen(
        address, {"project": _project_facts(ctx.project), "others": ctx.actual.other_project_ids}
    )
    if ctx.project is None:
        body = {"customerExternalId": ctx.ext, **desired}
        body.setdefault("timezone", "UTC")  # the API requires one; PRODUCT §3
        ctx.add(
            ctx.step(
                address,
                StepKind.PROJECT,
                Action.CREATE,
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
    actual = ctx.project.model_dump(mode="json", by_alias=True)
    actual["metadata"] = user_metadata(ctx.project)
    found = ctx.keep(address, changes(desired, actual, expand=("metadata",)))
    if ctx.project.status == "archived":
        found.insert(0, Change(field="status", before="archived", after="active"))
    stamp = ctx.reserved
    workspace = ctx.settings.workspace
    if stamp and stamp.get("workspace") == workspace:
        if found:
            ctx.add(ctx.step(address, StepKind.PROJECT, Action.UPDATE, changes=found))
        return
    # Adopting writes the stamp; the same PATCH carries the managed fields that differ.
    owner = stamp.get("workspace") if stamp else None
    ctx.add(
        ctx.step(
            address,
            StepKind.PROJECT,
            Action.ADOPT,
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


def _approval(ctx: Ctx) -> None:
    if ctx.spec.approval is None:
        return
    desired = ctx.spec.approval.model_dump(exclude_unset=True)
    if ctx.revision == "b":  # Rev B has no timer: config.revision warns (or refuses, pinned)
        desired = {k: v for k, v in desired.items() if k not in revb.REV_A_ONLY}
    if not desired:
        return
    address = ctx.addr("approval")
    policy = ctx.actual.approval_policy
    if ctx.revision == "b" and policy is not None:
        desired = revb.as_stored(desired, policy)
    ctx.seen(address, None if policy is None else {k: policy.get(k) for k in desired})
    found = (
        unknown_before(desired)
        if ctx.project is None
        else ctx.keep(address, changes(desired, policy or {}))
    )
    if found:
        ctx.add(ctx.step(address, StepKind.APPROVAL, Action.UPDATE, changes=found))


# ----------------------------------------------------------------------------------- github


def _github(ctx: Ctx) -> None:
    gh = ctx.spec.github
    if gh is None:
        return
    address = ctx.addr("github")
    org = gh.repo.split("/", 1)[0]
    if ctx.actual.github_unchecked:
        ctx.seen(address, {"unchecked": ctx.actual.github_unchecked})
        ctx.warnings.append(f"{address}: {ctx.actual.github_unchecked}")
        return
    usable = registered(ctx.actual.github_installations or [])
    relevant = [
        {"installationId": i.installation_id, "login": i.login}
        for i in usable
        if covers(i, org) or i.installation_id == gh.installationId
    ]
    ctx.seen(address, sorted(relevant, key=lambda r: str(r["installationId"])))
    if gh.installationId is not None:
        match = [i for i in usable if _same_int(i.installation_id, gh.installationId)]
        if not match:
            ctx.add(
                ctx.step(
                    address,
                    StepKind.GITHUB,
                    Action.REGISTER,
                    changes=[Change(field="installationId", before=None, after=gh.installationId)],
                    reason=f"installation {gh.installationId} is not registered with Layers",
                    target=Target(
                        installationId=gh.installationId, org=org, returnUrl=gh.returnUrl
                    ),
                )
            )
            return
        login = match[0].login
        if login and login.lower() != org.lower():
            ctx.warnings.append(
                f"github: installation {gh.installationId} belongs to {login!r}, not to {org!r} "
                "that owns the repo; the ingest would fail with installation_not_found"
            )
        return
    if covering(usable, org) is not None:
        return
    link = outstanding(ctx.reserved, github_key(), ctx.now, return_url=gh.returnUrl, subject=org)
    ctx.add(
        ctx.step(
            address,
            StepKind.GITHUB,
            Action.WAIT_ON_PERSON,
            person=PersonGate(
                kind="github_install",
                message=f"someone with admin rights on {org!r} installs the Layers GitHub App",
                url=link.url if link else None,
                expires_at=_expiry(ctx, github_key(), link),
            ),
            reason=_link_reason(
                f"no registered GitHub installation covers {org!r}", ctx, github_key(), link
            ),
            target=Target(org=org, returnUrl=gh.returnUrl),
        )
    )


def _same_int(a: Any, b: Any) -> bool:
    try:
        return int(a) == int(b)
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------------- ingest


def _ingest(ctx: Ctx) -> None:
    gh = ctx.spec.github
    if gh is None:
        return
    address = ctx.addr("ingest")
    managed = gh.model_fields_set
    desired: dict[str, Any] = {"repo": gh.repo}
    if "branch" in managed and gh.branch is not None:
        desired["branch"] = gh.branch
    if "platforms" in managed and gh.platforms is not None:
        desired["platforms"] = list(gh.platforms)
    record = ctx.reserved.get("ingest") or {}
    state = ((ctx.project.ingest_state if ctx.project else None) or {}).get("github") or {}
    ctx.seen(address, {"record": record, "state": state} if ctx.project else None)

    def ingest(**fields: Any) -> Step:
        return ctx.step(address, StepKind.INGEST, Action.RUN_JOB, job=estimates.ingest(), **fields)

    if ctx.project is None:
        ctx.add(ingest(changes=created(desired), reason="never ingested"))
        ctx.ingest_pending = True
        return
    ours = (
        not record.get("jobId")
        or not state.get("jobId")
        or same_id(state.get("jobId"), record.get("jobId"))
    )
    status = (state.get("status") if state and ours else None) or record.get("status")
    job_id = state.get("jobId") or record.get("jobId")
    if not record:
        if status in INGEST_RUNNING:
            reason = "an ingest not started by this tool is running; apply waits, then ingests"
            ctx.add(
                ingest(changes=created(desired), reason=reason, target=ctx.target(jobId=job_id))
            )
        else:
            ctx.add(ingest(changes=created(desired), reason="no ingest recorded by this tool"))
        ctx.ingest_pending = True
        return
    found = changes(desired, record)
    if found:
        names = " and ".join(c.field for c in found)
        verb = "differ" if len(found) > 1 else "differs"
        reason = f"the ingested {names} {verb} from the file"
        ctx.add(ingest(changes=found, reason=reason))
    elif status == "failed":
        # The API's ingestState carries {code, message}; apply records the code alone.
        error = state.get("error") or record.get("error") or {}
        code = error.get("code") if isinstance(error, dict) else error or None
        why = f"the last ingest failed ({code})" if code else "the last ingest failed"
        hint = ingest_fix(None if code is None else str(code), repo=gh.repo)
        ctx.add(ingest(reason=why + "; it runs again", warnings=[hint] if hint else []))
    elif status in INGEST_RUNNING:
        reason = "the ingest is still running; apply waits for it"
        ctx.add(ingest(reason=reason, target=ctx.target(jobId=job_id)))
    else:
        return
    ctx.ingest_pending = True


# ------------------------------------------------------------------------------------ brand


def _brand(ctx: Ctx) -> None:
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
        ctx.add(ctx.step(address, StepKind.BRAND, Action.UPDATE, changes=found, reason=reason))


# ------------------------------------------------------------------------------- influencer


def _influencer(ctx: Ctx) -> None:
    want = ctx.spec.influencer
    if want is None:
        return
    address = ctx.addr("influencer")
    items = ctx.actual.influencers or []
    pinned = ctx.reserved.get("influencerId")
    ctx.seen(
        address,
        None
        if ctx.project is None
        else {
            "pinned": pinned,
            "items": sorted((i.id, i.name, i.status) for i in items),
        },
    )
    name = file_influencer_label(want)
    job = ctx.reserved.get("influencerJob") or {}
    match = (
        None
        if ctx.project is None
        else file_influencer(
            items, want, revision=ctx.revision, recorded=(pinned, job.get("influencerId"))
        )
    )
    pin_unknown = Change(field="influencerId", before=pinned, after_unknown=True)
    creates = isinstance(want, InfluencerSpec) and want.id is None
    if creates and match is None:
        assert isinstance(want, InfluencerSpec)
        if ctx.revision == "b":
            attributes = revb.influencer_hints(want.model_dump(exclude_unset=True))
            reason = "the tool has created no influencer here; Layers creates one from the hints"
        else:
            attributes = want.model_dump(exclude_unset=True)
            reason = f"no influencer named {name!r} exists; it is created and pinned"
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.RUN_JOB,
                changes=[*created(attributes), pin_unknown],
                job=estimates.influencer(),
                reason=reason,
                target=ctx.target(name=want.name if ctx.revision == "a" else None),
            )
        )
        return
    if match is None:
        # `id:` adopts that influencer only; a bare name or id is found by either.
        by_id = isinstance(want, InfluencerSpec) and want.id is not None
        warnings = []
        if ctx.project is not None and not ctx.ingest_pending:
            warnings.append(
                f"no influencer with id {name!r} exists in the project"
                if by_id
                else f"no influencer named {name!r} exists in the project yet"
            )
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.SELECT,
                changes=[pin_unknown],
                reason=f"adopts the influencer with id {name!r}"
                if by_id
                else f"pins {name!r}, chosen by name once it exists",
                warnings=warnings,
                target=ctx.target(name=name),
            )
        )
        return
    found_id = match.id
    if isinstance(want, InfluencerSpec) and match.status in INFLUENCER_BUSY:
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.RUN_JOB,
                changes=(
                    []
                    if same_id(pinned, found_id)
                    else [Change(field="influencerId", before=pinned, after=found_id)]
                ),
                job=estimates.influencer(),
                reason=f"influencer {(match.name or name)!r} is still being created "
                f"({match.status}); apply waits",
                target=ctx.target(influencerId=found_id, name=match.name or want.name),
            )
        )
        return
    if not same_id(pinned, found_id):
        ctx.add(
            ctx.step(
                address,
                StepKind.INFLUENCER,
                Action.SELECT,
                changes=[Change(field="influencerId", before=pinned, after=found_id)],
                reason=f"pins {match.name!r}",
                target=ctx.target(influencerId=found_id, name=match.name),
            )
        )


# ----------------------------------------------------------------------------------- social


def _social(ctx: Ctx) -> None:
    for platform, spec in sorted((ctx.spec.social or {}).items()):
        address = ctx.addr("social", platform)
        accounts = [a for a in ctx.actual.social_accounts or [] if a.platform == platform]
        ctx.seen(
            address,
            None if ctx.project is None else sorted((a.id, a.status) for a in accounts),
        )
        connected = [a for a in accounts if a.status == "connected"]
        if connected:
            ctx.accounts[platform] = connected[0].id
            continue
        ctx.accounts[platform] = None
        reauth = next((a for a in accounts if a.status == "reauth_required"), None)
        label = platform.capitalize() if platform != "tiktok" else "TikTok"
        if reauth is not None:
            message = f"the customer re-authorises {reauth.handle or 'their'} {label} account"
            reason = f"the {label} account needs re-authorisation"
        else:
            article = "an" if label[0].lower() in "aeiou" else "a"
            message = f"the customer connects {article} {label} account (OAuth consent)"
            reason = f"no connected {label} account"
        reauth_id = None if reauth is None else reauth.id
        link = outstanding(
            ctx.reserved,
            social_key(platform),
            ctx.now,
            return_url=spec.returnUrl,
            subject=reauth_id or "",
        )
        ctx.add(
            ctx.step(
                address,
                StepKind.SOCIAL,
                Action.WAIT_ON_PERSON,
                person=PersonGate(
                    kind="social_oauth",
                    message=message,
                    url=link.url if link else None,
                    expires_at=_expiry(ctx, social_key(platform), link),
                ),
                reason=_link_reason(reason, ctx, social_key(platform), link),
                target=ctx.target(
                    platform=platform,
                    returnUrl=spec.returnUrl,
                    socialAccountId=reauth_id,
                ),
            )
        )


def _expiry(ctx: Ctx, key: str, link: Any) -> str | None:
    """When the shown link expires; with no link, when the last one expired (None: never made)."""
    if link is not None:
        return str(link.expires_at)
    old = recorded(ctx.reserved, key)
    return old.expires_at if old is not None and not old.valid_at(ctx.now) else None


def _link_reason(reason: str, ctx: Ctx, key: str, link: Any) -> str:
    """Say whether apply reuses the link a person already has, or why it makes a new one."""
    if link is not None:
        return f"{reason}; the link sent earlier is still valid (apply reuses it)"
    old = recorded(ctx.reserved, key)
    if old is None:
        return reason
    if not old.valid_at(ctx.now):
        return f"{reason}; the last link expired at {old.expires_at}: apply makes a new one"
    return f"{reason}; the last link was made for another return URL: apply makes a new one"
