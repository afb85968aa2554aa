"""Set up a customer through the Layers API itself (no apply): what a converged apply leaves.

Used by the integration tests and the no-op benchmark. Every call is one the guide documents;
people are simulated by opening the emulator's own consent URLs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from layers_reconcile.client import LayersClient
from layers_reconcile.plan.ids import (
    RESERVED_KEY,
    brief_hash,
    content_id_for,
    post_id_for,
    project_id_for,
)
from layers_reconcile.records import Job

RETURN_URL = "http://localhost/done"
WHEN = "2027-06-01T10:00:00Z"


def customer_yaml(
    ext: str, *, name: str | None = None, at: str = WHEN, tagline: str = "Skip the line."
) -> str:
    """The customer file the seeded state converges to."""
    return f"""customerExternalId: {ext}
project:
  name: {name or "Customer " + ext}
  timezone: Europe/Berlin
  metadata: {{tier: gold}}
approval:
  requiresApproval: true
brand:
  tagline: {tagline}
influencer:
  name: Ava
  gender: female
social:
  tiktok:
    returnUrl: {RETURN_URL}
content:
  launch:
    brief:
      hook: Your cafe, skip the line.
    approve: true
    schedule:
      - account: tiktok
        mode: direct_publish
        at: "{at}"
"""


BRIEF = {"hook": "Your cafe, skip the line."}


async def _job(client: LayersClient, job_id: str) -> Job:
    return await client.wait_for_job(job_id, expected_seconds=0.5)


async def seed_customer(
    client: LayersClient,
    ext: str,
    *,
    workspace: str | None,
    name: str | None = None,
    at: str = WHEN,
    people: httpx.AsyncClient | None = None,
) -> str:
    """Create everything `customer_yaml(ext)` asks for; return the project id. `people`
    opens the consent URL (default: a plain client over the network)."""
    pid = project_id_for(ext)
    project = await client.create_project(
        {
            "id": pid,
            "name": name or "Customer " + ext,
            "customerExternalId": ext,
            "timezone": "Europe/Berlin",
            "metadata": {"tier": "gold"},
        },
        idempotency_key=None,
    )
    pid = project.id
    await client.patch_approval_policy(pid, {"requiresApproval": True})
    await client.patch_project(pid, {"brandContext": {"tagline": "Skip the line."}})
    created = await client.create_influencer(pid, {"name": "Ava", "gender": "female"}, None)
    await _job(client, created.job_id)
    influencer = str(created.influencer_id)
    consent = await client.oauth_url(pid, "tiktok", RETURN_URL)
    url = str(consent.authorize_url)
    url += ("&" if "?" in url else "?") + f"handle={ext}"
    if people is not None:
        await people.get(url)
    else:
        async with httpx.AsyncClient() as person:
            await person.get(url)
    account = (await client.list_social_accounts(pid))[0]
    generated = await client.generate_content(
        pid,
        {
            "id": content_id_for(pid, "launch"),
            "format": "auto",
            "variantCount": 1,
            "brief": {**BRIEF, "influencerId": influencer},
        },
        None,
    )
    await _job(client, generated.job_id)
    containers = list(generated.container_ids)
    await client.approve_content(containers[0])
    await client.schedule(
        containers[0],
        {
            "targets": [
                {
                    "socialAccountId": account.id,
                    "mode": "direct_publish",
                    "scheduledPostId": post_id_for(pid, "launch", "tiktok", 1, None),
                }
            ],
            "scheduledFor": at,
        },
        None,
    )
    reserved = {
        "v": 1,
        "workspace": workspace,
        "influencerId": influencer,
        "content": {
            "launch": {
                "containerIds": containers,
                "jobId": generated.job_id,
                "briefHash": brief_hash(BRIEF),
                "format": "auto",
                "variants": 1,
            }
        },
    }
    await client.patch_project(pid, {"metadata": {"tier": "gold", RESERVED_KEY: reserved}})
    return pid


async def seed_many(
    url: str, key: str, ids: list[str], *, workspace: str | None, concurrency: int = 16
) -> None:
    gate = asyncio.Semaphore(concurrency)
    async with LayersClient(url, key) as client:

        async def one(ext: str) -> None:
            async with gate:
                await seed_customer(client, ext, workspace=workspace)

        await asyncio.gather(*(one(e) for e in ids))


def write_workspace(root: Path, workspace: str, ids: list[str]) -> Path:
    """A workspace named `workspace` under `root` with one file per id (`customer_yaml`)."""
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text(f"workspace: {workspace}\n")
    for ext in ids:
        (root / "customers" / f"{ext}.yaml").write_text(customer_yaml(ext))
    return root
