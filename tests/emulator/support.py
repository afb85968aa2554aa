"""Helpers for the emulator tests: an in-process client with an injected clock."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from layers_reconcile.emulator.clock import ManualClock
from layers_reconcile.emulator.settings import DEV_API_KEY
from layers_reconcile.emulator.state import Emulator

KEY = DEV_API_KEY
QUINN_REPO = "quinns-coffee/quinns-app"
RETURN_URL = "https://app.your-partner.com/github/callback"
SOCIAL_RETURN = "https://app.your-partner.com/customers/quinn/social-complete"
BRIEF = {
    "hook": "Your cafe, skip the line.",
    "cta": "Download Quinns Coffee",
    "targetPlatforms": ["tiktok", "instagram"],
}
LONGEST_JOB = 481.0


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def error_of(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code, error
    assert error["requestId"] == resp.headers["x-request-id"]
    assert error["requestId"].startswith("req_")
    assert isinstance(error["message"], str)
    assert error["message"]
    details: dict[str, Any] = error["details"]
    return details


def issue_paths(resp: httpx.Response) -> list[str]:
    return [i["path"] for i in resp.json()["error"]["details"]["issues"]]


class Api:
    def __init__(self, client: httpx.AsyncClient, app: Starlette, clock: ManualClock) -> None:
        self.client = client
        self.app = app
        self.clock = clock

    @property
    def emu(self) -> Emulator:
        emu: Emulator = self.app.state.emulator
        return emu

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        key: str | None = KEY,
        idem: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        merged = dict(headers or {})
        if key is not None:
            merged.setdefault("Authorization", f"Bearer {key}")
        if idem is not None:
            merged["Idempotency-Key"] = idem
        return await self.client.request(method, path, json=json, params=params, headers=merged)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("POST", path, json=json, **kw)

    async def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("PATCH", path, json=json, **kw)

    async def delete(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("DELETE", path, json=json, **kw)

    async def new_key(self, scopes: list[str], domains: list[str] | None = None) -> str:
        body: dict[str, Any] = {"scopes": scopes}
        if domains is not None:
            body["allowedReturnDomains"] = domains
        resp = await self.client.post("/_emulator/keys", json=body)
        assert resp.status_code == 201, resp.text
        key: str = resp.json()["apiKey"]
        return key

    # --- the guide's steps, condensed ---------------------------------------------------

    async def project(self, ext: str = "quinn-coffee-001", **extra: Any) -> dict[str, Any]:
        body = {"name": "Quinns Coffee Co", "customerExternalId": ext, "timezone": "UTC", **extra}
        resp = await self.post("/v1/projects", body)
        assert resp.status_code == 201, resp.text
        project: dict[str, Any] = resp.json()
        return project

    async def install(self, login: str | None = None) -> int:
        """Install the GitHub App (by following the authorize URL) and register it."""
        params = {"returnUrl": RETURN_URL, **({"login": login} if login else {})}
        resp = await self.get("/v1/github/installation/install-url", params=params)
        assert resp.status_code == 200, resp.text
        consent = await self.client.get(resp.json()["authorizeUrl"])
        assert consent.status_code == 302, consent.text
        back = query_of(consent.headers["location"])
        installation_id = int(back["installation_id"])
        body = {"installationId": installation_id, "state": back["state"]}
        reg = await self.post("/v1/github/installation", body)
        assert reg.status_code == 200, reg.text
        return installation_id

    async def finish(self, job_id: str, seconds: float = LONGEST_JOB) -> dict[str, Any]:
        self.clock.advance(seconds)
        resp = await self.get(f"/v1/jobs/{job_id}")
        assert resp.status_code == 200, resp.text
        job: dict[str, Any] = resp.json()
        return job

    async def ingest(self, project_id: str, repo: str = QUINN_REPO, **extra: Any) -> dict[str, Any]:
        """Install the repo's org if needed, ingest, and let the job finish."""
        owner = repo.split("/")[0]
        current = await self.get("/v1/github/installation")
        known = current.json().get("installations", []) if current.status_code == 200 else []
        if owner not in [i["orgLogin"] for i in known]:
            await self.install(owner)
        body = {"repoFullName": repo, "branch": "main", **extra}
        resp = await self.post(f"/v1/projects/{project_id}/ingest/github", body)
        assert resp.status_code == 202, resp.text
        return await self.finish(resp.json()["jobId"])

    async def gate(self, project_id: str, first_n: int | None = 3) -> None:
        body = {"requiresApproval": True, "firstNPostsBlocked": first_n}
        resp = await self.patch(f"/v1/projects/{project_id}/approval-policy", body)
        assert resp.status_code == 200, resp.text

    async def generate(self, project_id: str, **extra: Any) -> dict[str, Any]:
        body = {"format": "auto", "variantCount": 1, "brief": dict(BRIEF), **extra}
        resp = await self.post(f"/v1/projects/{project_id}/content", body)
        assert resp.status_code == 202, resp.text
        accepted: dict[str, Any] = resp.json()
        return accepted

    async def content(self, project_id: str, **extra: Any) -> str:
        """A completed container's id."""
        accepted = await self.generate(project_id, **extra)
        job = await self.finish(accepted["jobId"], 181)
        assert job["status"] == "completed", job
        container_id: str = accepted["containerIds"][0]
        return container_id

    async def connect(
        self, project_id: str, platform: str = "tiktok", handle: str | None = None
    ) -> str:
        body = {"platform": platform, "returnUrl": SOCIAL_RETURN}
        resp = await self.post(f"/v1/projects/{project_id}/social/oauth-url", body)
        assert resp.status_code == 200, resp.text
        url = resp.json()["authorizeUrl"] + (f"&handle={handle}" if handle else "")
        consent = await self.client.get(url)
        assert consent.status_code == 302, consent.text
        status = await self.get(f"/v1/social/oauth-status/{resp.json()['state']}")
        account: str = status.json()["socialAccountId"]
        return account

    async def schedule(
        self, container_id: str, account_id: str, when: str, **target: Any
    ) -> httpx.Response:
        body = {
            "targets": [{"socialAccountId": account_id, "mode": "direct_publish", **target}],
            "scheduledFor": when,
        }
        return await self.post(f"/v1/content/{container_id}/schedule", body)


# --- Rev B (`--api-revision b`): what a client following CONTRACT-revb.md §11 sends -------

APP_DESCRIPTION = (
    "Quinns Coffee lets regulars order ahead from any of our Portland cafes, skip the line, "
    "and collect stamps toward a free drink."
)
HOOK = "POV: you skipped the line again"
TIKTOK_VIDEO = "7301234567890123456"


class ApiB(Api):
    """The same client, speaking Rev B: per-format generation, the review policy, new shapes."""

    async def project(self, ext: str = "quinn-coffee-001", **extra: Any) -> dict[str, Any]:
        body = {"name": "Quinns Coffee", "customerExternalId": ext, "timezone": "UTC", **extra}
        resp = await self.post("/v1/projects", body)
        assert resp.status_code == 201, resp.text
        project: dict[str, Any] = resp.json()
        return project

    async def generate_b(self, project_id: str, route: str, body: Any, **kw: Any) -> httpx.Response:
        return await self.post(f"/v1/projects/{project_id}/content/{route}", body, **kw)

    async def content_b(self, project_id: str, route: str, body: dict[str, Any]) -> str:
        """A completed container's id, made by one of the per-format routes."""
        resp = await self.generate_b(project_id, route, body)
        assert resp.status_code == 202, resp.text
        job = await self.finish(resp.json()["jobId"], 181)
        assert job["status"] == "completed", job
        container_id: str = resp.json()["containerIds"][0]
        return container_id

    async def policy(self, project_id: str, policy: str, first_n: int | None = None) -> Any:
        body: dict[str, Any] = {"policy": policy}
        if first_n is not None:
            body["firstN"] = first_n
        resp = await self.patch(f"/v1/projects/{project_id}/content-review-policy", body)
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def influencer_b(self, project_id: str, **hints: Any) -> str:
        resp = await self.post(f"/v1/projects/{project_id}/influencers", hints)
        assert resp.status_code == 202, resp.text
        job = await self.finish(resp.json()["jobId"], 120)
        assert job["status"] == "completed", job
        influencer: str = resp.json()["influencerId"]
        return influencer
