"""Guide step 8: connect a social account — a person consents; apply shows the URL and polls."""

from __future__ import annotations

from datetime import datetime

from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.steps.base import DEFAULT_RETURN_URL, StepResult, address_parts, first
from layers_reconcile.plan.model import Step


def _platform(ctx: CustomerContext, step: Step) -> str:
    platform = step.target.get("platform")
    if platform:
        return str(platform)
    parts = address_parts(ctx.customer, step.address)
    if len(parts) >= 2 and parts[0] == "social":
        return parts[1]
    raise StepError(f"{step.address}: no platform")


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

    async def check() -> GateCheck:
        status = await ctx.api.oauth_status(project_id, state)
        value = status.get("status")
        if value == "completed":
            return GateCheck(GateState.DONE, f"connected {status.get('socialAccountId')}")
        if value == "failed":
            error = status.get("error") or {}
            message = error.get("message") if isinstance(error, dict) else str(error)
            return GateCheck(GateState.FAILED, f"{platform} consent failed: {message}")
        if _expired(expires_at, ctx.options.now()):
            return GateCheck(GateState.EXPIRED)
        return GateCheck(GateState.PENDING)

    wait = PersonWait(
        address=step.address,
        kind="social_oauth",
        url=url or None,
        message=(
            f"re-authorise the customer's {platform} account"
            if reauth
            else f"connect the customer's {platform} account"
        ),
    )
    gate = Gate(wait=wait, check=check, deadline=ctx.gate_deadline())
    return StepResult(detail="authorize URL created", gate=gate, changed=False)
