"""Guide step 8: connect a social account — a person consents; apply shows the URL and polls.

The state of the last URL shown is kept in the reserved key (`oauthStates`), so a consent the
customer refused is reported — in this run or the next — with the new URL, not silently replaced.
"""

from __future__ import annotations

from datetime import datetime

from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.steps.base import DEFAULT_RETURN_URL, StepResult, address_parts, first
from layers_reconcile.errors import ApiClientError
from layers_reconcile.plan.model import Step


def _platform(ctx: CustomerContext, step: Step) -> str:
    platform = step.target.get("platform")
    if platform:
        return str(platform)
    parts = address_parts(ctx.customer, step.address)
    if len(parts) >= 2 and parts[0] == "social":
        return parts[1]
    raise StepError(f"{step.address}: no platform")


CONSENTS = "oauthStates"  # reserved key: platform -> the state of the last URL shown
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
    return state if status.get("status") == "failed" else None


def _expired(expires_at: object, now: datetime) -> bool:
    if not isinstance(expires_at, str):
        return False
    try:
        when = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return when <= now


async def wait_for_consent(ctx: CustomerContext, step: Step) -> StepResult:
    ctx.project_id = ctx.project_id or step.target.get("projectId")
    platform = _platform(ctx, step)
    refused = await _refused(ctx, platform)
    social = (ctx.spec.social or {}).get(platform)  # type: ignore[call-overload]
    return_url = first(step.target.get("returnUrl"), social.returnUrl if social else None)
    reauth = step.target.get("socialAccountId")
    if reauth:
        issued = await ctx.api.reauth_url(
            ctx.require_project(), str(reauth), str(return_url or DEFAULT_RETURN_URL)
        )
    else:
        issued = await ctx.api.oauth_url(
            ctx.require_project(), platform, str(return_url or DEFAULT_RETURN_URL)
        )
    state = str(issued["state"])
    url = str(issued.get("authorizeUrl") or "")
    expires_at = issued.get("expiresAt")
    project_id = ctx.require_project()
    await ctx.update_reserved(lambda r: r.setdefault(CONSENTS, {}).__setitem__(platform, state))

    async def check() -> GateCheck:
        status = await ctx.api.oauth_status(project_id, state)
        value = status.get("status")
        if value == "completed":
            return GateCheck(GateState.DONE, f"connected {status.get('socialAccountId')}")
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
