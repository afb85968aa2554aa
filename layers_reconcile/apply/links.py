"""Making and recording the links a person opens (see plan.links for what is kept and why)."""

from __future__ import annotations

from typing import Any

from layers_reconcile.apply.reserved import Reserved, mutated
from layers_reconcile.client import LayersClient
from layers_reconcile.plan.links import LINKS, Link, github_key, social_key


def keep(link: Link) -> Any:
    """A reserved-key mutation that records `link`."""

    def mutate(reserved: Reserved) -> None:
        links = reserved.setdefault(LINKS, {})
        if isinstance(links, dict):
            links[link.key] = link.record()

    return mutate


async def mint_install(api: LayersClient, *, return_url: str, org: str) -> Link:
    """A new GitHub App install URL for `org` (guide step 2)."""
    body = await api.install_url(return_url, login=org)
    return Link(
        key=github_key(),
        url=body.authorize_url or "",
        state=body.state or "",
        expires_at=body.expires_at,
        return_url=return_url,
        subject=org,
    )


async def mint_consent(
    api: LayersClient, *, project_id: str, platform: str, return_url: str, reauth: str | None = None
) -> Link:
    """A new OAuth consent URL (guide step 8), or a re-authorisation URL for `reauth`."""
    if reauth:
        body = await api.reauth_url(project_id, reauth, return_url)
    else:
        body = await api.oauth_url(project_id, platform, return_url)
    return Link(
        key=social_key(platform),
        url=body.authorize_url or "",
        state=body.state or "",
        expires_at=body.expires_at,
        return_url=return_url,
        subject=reauth or "",
    )


async def store(api: LayersClient, project_id: str, link: Link) -> None:
    """Record `link` in the project's reserved key (one GET and, when it changed, one PATCH)."""
    project = await api.get_project(project_id)
    _, metadata = mutated(project, keep(link))
    if metadata is not None:
        await api.patch_project(project_id, {"metadata": metadata})
