"""The social stage of the diff: a connected account per platform, or a person connects one."""

from __future__ import annotations

from layers_reconcile.plan.context import Ctx
from layers_reconcile.plan.links import link_reason, outstanding, shown_expiry, social_key
from layers_reconcile.plan.model import Action, PersonGate
from layers_reconcile.plan.targets import SocialTarget


def diff_social(ctx: Ctx) -> None:
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
                Action.WAIT_ON_PERSON,
                SocialTarget(
                    projectId=ctx.pid,
                    platform=platform,
                    returnUrl=spec.returnUrl,
                    socialAccountId=reauth_id,
                ),
                person=PersonGate(
                    kind="social_oauth",
                    message=message,
                    url=link.url if link else None,
                    expires_at=shown_expiry(ctx.reserved, social_key(platform), link, ctx.now),
                ),
                reason=link_reason(reason, ctx.reserved, social_key(platform), link, ctx.now),
            )
        )
