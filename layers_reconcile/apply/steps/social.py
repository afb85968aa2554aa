"""Guide step 8: connect a social account — a person consents; apply shows the URL and polls.

The state of the last URL shown is kept in the reserved key (`oauthStates`), so a consent the
customer refused is reported — in this run or the next — with the new URL, not silently replaced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.links import keep, mint_consent
from layers_reconcile.apply.reserved import Keep, Reserved
from layers_reconcile.apply.steps.base import DEFAULT_RETURN_URL, StepResult
from layers_reconcile.errors import ApiClientError
from layers_reconcile.instants import parse_instant
from layers_reconcile.plan.links import Link, reusable, social_key
from layers_reconcile.plan.model import Step
from layers_reconcile.plan.targets import SocialTarget

CONSENTS: Final = "oauthStates"  # reserved key: platform -> the state of the last URL shown
NAMES = {
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "x": "X",
    "instagram": "Instagram",
    "facebook": "Facebook",
}


def platform_name(platform: str) -> str:
    return NAMES.get(platform.lower(), platform.capitalize())


async def _refused(ctx: CustomerContext, platform: str) -> str | None:
    """The state of the last consent URL shown for `platform`, when the customer refused it."""
    states = (await ctx.reserved()).get(CONSENTS)
    state = states.get(platform) if isinstance(states, dict) else None
    if not isinstance(state, str) or not state:
        return None
    try:
        status = await ctx.api.oauth_status(ctx.require_project(), state)
    except ApiClientError:
        return None  # an unknown or expired state: nothing to report
    return state if status.status == "failed" else None


def _expired(expires_at: object, now: datetime) -> bool:
    when = parse_instant(expires_at)
    return when is not None and when <= now


async def _still_pending(ctx: CustomerContext, link: Link) -> bool:
    try:
        status = await ctx.api.oauth_status(ctx.require_project(), link.state)
    except ApiClientError:
        return False  # unknown or expired on the API's side
    return status.status == "pending"


async def _consent_link(
    ctx: CustomerContext, platform: str, return_url: str, reauth: str | None, refused: bool
) -> Link:
    """The consent URL of an earlier run while it is valid and unanswered, else a new one; the
    link and its state are recorded (links, oauthStates) for plan, `links` and the next run."""
    if not refused:
        found = reusable(
            await ctx.reserved(),
            social_key(platform),
            ctx.options.now(),
            return_url=return_url,
            subject=reauth or "",
        )
        if found is not None and await _still_pending(ctx, found):
            return found
    link = await mint_consent(
        ctx.api,
        project_id=ctx.require_project(),
        platform=platform,
        return_url=return_url,
        reauth=reauth,
    )
    record = keep(link)

    def mutate(reserved: Reserved) -> None:
        record(reserved)
        states = reserved.setdefault(CONSENTS, {})
        if isinstance(states, dict):
            states[platform] = link.state

    await ctx.update_reserved(mutate, Keep.STAGE)
    return link


async def wait_for_consent(ctx: CustomerContext, step: Step, target: SocialTarget) -> StepResult:
    ctx.project_id = ctx.project_id or target.projectId
    platform = target.platform
    refused = await _refused(ctx, platform)
    social = next((s for name, s in (ctx.spec.social or {}).items() if name == platform), None)
    return_url = target.returnUrl or (social.returnUrl if social else None) or DEFAULT_RETURN_URL
    reauth = target.socialAccountId
    link = await _consent_link(ctx, platform, return_url, reauth, refused is not None)
    state = link.state
    url = link.url
    expires_at = link.expires_at
    project_id = ctx.require_project()

    async def check() -> GateCheck:
        status = await ctx.api.oauth_status(project_id, state)
        value = status.status
        if value == "completed":
            return GateCheck(GateState.DONE, f"connected {status.social_account_id}")
        if value == "failed":
            # refused: the step runs again, says so and shows a new URL (see _refused)
            return GateCheck(GateState.EXPIRED, f"the customer refused the {platform} consent")
        if _expired(expires_at, ctx.options.now()):
            return GateCheck(GateState.EXPIRED)
        return GateCheck(GateState.PENDING)

    wait = PersonWait(
        address=step.address,
        kind="social_oauth",
        url=url or None,
        expires_at=expires_at,
        message=(
            f"the customer refused the {platform_name(platform)} consent (state {refused}); "
            "a new URL:"
            if refused
            else f"re-authorise the customer's {platform} account"
            if reauth
            else f"connect the customer's {platform} account"
        ),
    )
    gate = Gate(wait=wait, check=check, deadline=ctx.gate_deadline())
    return StepResult(detail="authorize URL created", gate=gate, changed=False)
