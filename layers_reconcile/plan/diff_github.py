"""The GitHub stages of the diff: the App installation (a person installs it) and the ingest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers_reconcile.config.models import GithubSpec
from layers_reconcile.guidance import ingest_fix
from layers_reconcile.plan import estimates
from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.fields import changes, created
from layers_reconcile.plan.ids import same_id
from layers_reconcile.plan.installations import covering, covers, registered
from layers_reconcile.plan.links import github_key, link_reason, outstanding, shown_expiry
from layers_reconcile.plan.model import Action, Change, PersonGate, Step
from layers_reconcile.plan.targets import GithubTarget, IngestTarget
from layers_reconcile.records import Installation
from layers_reconcile.statuses import INGEST_RUNNING

# ----------------------------------------------------------------------------------- github


def diff_github(ctx: Ctx) -> None:
    """The repo's org needs a GitHub App installation registered with Layers: the one the file
    names (registered by apply), else any covering the org (else a person installs the App)."""
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
        _named_installation(ctx, address, gh, org, usable)
    elif covering(usable, org) is None:
        ctx.add(_install_gate(ctx, address, gh, org))


def _named_installation(
    ctx: Ctx, address: str, gh: GithubSpec, org: str, usable: Sequence[Installation]
) -> None:
    """`installationId:` in the file: registered when Layers does not know it; a warning when
    it belongs to another account than the repo's org."""
    match = [i for i in usable if _same_int(i.installation_id, gh.installationId)]
    if not match:
        ctx.add(
            ctx.step(
                address,
                Action.REGISTER,
                GithubTarget(installationId=gh.installationId, org=org, returnUrl=gh.returnUrl),
                changes=[Change(field="installationId", before=None, after=gh.installationId)],
                reason=f"installation {gh.installationId} is not registered with Layers",
            )
        )
        return
    login = match[0].login
    if login and login.lower() != org.lower():
        ctx.warnings.append(
            f"github: installation {gh.installationId} belongs to {login!r}, not to {org!r} "
            "that owns the repo; the ingest would fail with installation_not_found"
        )


def _install_gate(ctx: Ctx, address: str, gh: GithubSpec, org: str) -> Step:
    """No installation covers the org: someone with admin rights installs the App (the link
    sent earlier is shown while it is still valid)."""
    link = outstanding(ctx.reserved, github_key(), ctx.now, return_url=gh.returnUrl, subject=org)
    return ctx.step(
        address,
        Action.WAIT_ON_PERSON,
        GithubTarget(org=org, returnUrl=gh.returnUrl),
        person=PersonGate(
            kind="github_install",
            message=f"someone with admin rights on {org!r} installs the Layers GitHub App",
            url=link.url if link else None,
            expires_at=shown_expiry(ctx.reserved, github_key(), link, ctx.now),
        ),
        reason=link_reason(
            f"no registered GitHub installation covers {org!r}",
            ctx.reserved,
            github_key(),
            link,
            ctx.now,
        ),
    )


def _same_int(a: Any, b: Any) -> bool:
    try:
        return int(a) == int(b)
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------------- ingest


def diff_ingest(ctx: Ctx) -> None:
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
    run = ctx.project.github_ingest if ctx.project else None
    state = run.as_sent() if run else {}
    ctx.seen(address, {"record": record, "state": state} if ctx.project else None)

    def ingest(running: str | None = None, **fields: Any) -> Step:
        """The ingest step; `running`: the job apply waits on first."""
        target = IngestTarget(projectId=ctx.pid, jobId=running)
        return ctx.step(address, Action.RUN_JOB, target, job=estimates.ingest(), **fields)

    if ctx.project is None:
        ctx.add(ingest(changes=created(desired), reason="never ingested"))
        ctx.ingest_pending = True
        return
    api_job = run.job_id if run else None
    ours = not record.get("jobId") or not api_job or same_id(api_job, record.get("jobId"))
    status = (run.status if run and ours else None) or record.get("status")
    job_id = api_job or record.get("jobId")
    if not record:
        if status in INGEST_RUNNING:
            reason = "an ingest not started by this tool is running; apply waits, then ingests"
            ctx.add(ingest(job_id, changes=created(desired), reason=reason))
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
        code = (run.error.code if run and run.error else None) or record.get("error") or None
        why = f"the last ingest failed ({code})" if code else "the last ingest failed"
        hint = ingest_fix(None if code is None else str(code), repo=gh.repo)
        ctx.add(ingest(reason=why + "; it runs again", warnings=[hint] if hint else []))
    elif status in INGEST_RUNNING:
        reason = "the ingest is still running; apply waits for it"
        ctx.add(ingest(job_id, reason=reason))
    else:
        return
    ctx.ingest_pending = True
