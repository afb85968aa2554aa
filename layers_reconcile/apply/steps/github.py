"""Guide step 2: the GitHub installation — register a known id, or wait for a person to install."""

from __future__ import annotations

from layers_reconcile.apply.callback import WrongInstallation
from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.links import keep, mint_install
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Keep
from layers_reconcile.apply.steps.base import DEFAULT_RETURN_URL, StepResult
from layers_reconcile.errors import ConflictError
from layers_reconcile.plan.ids import parse_instant
from layers_reconcile.plan.installations import covering
from layers_reconcile.plan.links import Link, github_key, reusable
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import GithubTarget
from layers_reconcile.records import Installation

INSTALL_URL_TTL = 15 * 60  # the documented lifetime of an install URL


def _owner(ctx: CustomerContext) -> str:
    assert ctx.spec.github is not None
    return ctx.spec.github.repo.split("/")[0]


def _return_url(ctx: CustomerContext, target: GithubTarget) -> str:
    github = ctx.spec.github
    return target.returnUrl or (github.returnUrl if github else None) or DEFAULT_RETURN_URL


def _login_of(installation: Installation) -> str:
    return (installation.login or "").lower()


async def registered_for(ctx: CustomerContext, org: str) -> Installation | None:
    return covering(await ctx.api.installations(), org)


async def register(ctx: CustomerContext, step: Step, target: GithubTarget) -> StepResult:
    github = ctx.spec.github
    installation_id = target.installationId
    if installation_id is None and github is not None:
        installation_id = github.installationId
    if installation_id is None:
        raise StepError("no installationId to register")
    # Registering needs a `state` from an install URL (guide step 2). No login hint: the app is
    # already installed, nobody is meant to open this URL.
    issued = await ctx.api.install_url(_return_url(ctx, target))
    state = issued.state
    if not state:
        raise StepError("the install-url response carries no state")
    try:
        request = {"installationId": installation_id, "state": state}
        body = await ctx.api.register_installation(
            installation_id, state, ctx.idempotency_key("github", request)
        )
    except ConflictError:
        if await registered_for(ctx, _owner(ctx)) is None:
            raise
        return StepResult(detail=f"installation {installation_id} already registered")
    org = _login_of(body) or _owner(ctx)
    return StepResult(detail=f"registered installation {installation_id} ({org})")


async def _listen(ctx: CustomerContext, return_url: str, state: str, org: str) -> bool:
    """Receive GitHub's return on a loopback returnUrl while apply waits (see apply.callback)."""

    async def register_it(installation_id: int, got: str) -> str:
        request = {"installationId": installation_id, "state": got}
        body = await ctx.api.register_installation(
            installation_id, got, ctx.idempotency_key("github", request)
        )
        login = _login_of(body)
        if login and login != org.lower():
            raise WrongInstallation(
                f"installation {installation_id} is on the GitHub account '{login}', which does "
                f"not own {ctx.spec.github.repo if ctx.spec.github else org}; install the Layers "
                f"GitHub App on '{org}' (apply keeps waiting for that)"
            )
        return f"installation {installation_id} registered for {org}"

    # Served until the gate closes, or the customer's run ends (the executor releases it).
    return await ctx.receivers.receive(return_url, state, register_it, owner=ctx.customer)


def how_to_finish(ctx: CustomerContext) -> str:
    """What the person (or the partner) does once the app is installed: nothing else tells the
    API which installation it was when no partner callback receives the return URL."""
    path = ctx.loaded.path if ctx.loaded is not None else None
    where = str(path) if path else "the customer's file"
    return (
        "after installing, put `github.installationId: N` (from the installation_id on the "
        f"return URL) in {where}, or have your callback register it"
    )


async def _install_link(ctx: CustomerContext, org: str, return_url: str) -> Link:
    """The install URL recorded by an earlier run while it is valid, else a new one (recorded)."""
    known = ctx.project_id is not None
    if known:
        found = reusable(
            await ctx.reserved(),
            github_key(),
            ctx.options.now(),
            return_url=return_url,
            subject=org,
        )
        if found is not None:
            return found
    link = await mint_install(ctx.api, return_url=return_url, org=org)
    if not link.url:
        raise StepError("the install-url response carries no URL")
    if known:
        await ctx.update_reserved(keep(link), Keep.STAGE)
    return link


async def wait_for_install(ctx: CustomerContext, step: Step, target: GithubTarget) -> StepResult:
    org = target.org or _owner(ctx)
    return_url = _return_url(ctx, target)
    link = await _install_link(ctx, org, return_url)
    url, state = link.url, link.state
    issued_at = ctx.options.clock()
    expires = parse_instant(link.expires_at)
    listening = False
    if state and ctx.options.wait_for_people > 0:
        listening = await _listen(ctx, return_url, state, org)

    async def check() -> GateCheck:
        installation = await registered_for(ctx, org)
        if installation is not None:
            await ctx.receivers.stop(return_url, state)
            return GateCheck(
                GateState.DONE, f"installation {installation.installation_id} registered"
            )
        over = (
            ctx.options.now() >= expires
            if expires is not None
            else ctx.options.clock() - issued_at > INSTALL_URL_TTL
        )
        if over:
            await ctx.receivers.stop(return_url, state)
            return GateCheck(GateState.EXPIRED)
        return GateCheck(GateState.PENDING)

    message = f"install the Layers GitHub App on {org}; {how_to_finish(ctx)}"
    if listening:
        message += f" (listening on {return_url} for GitHub's return until the wait ends)"
    wait = PersonWait(
        address=step.address,
        kind="github_install",
        url=url,
        message=message,
        expires_at=link.expires_at,
    )
    gate = Gate(wait=wait, check=check, deadline=ctx.gate_deadline())
    return StepResult(detail="install URL created", gate=gate, changed=False)
