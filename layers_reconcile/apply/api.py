"""The Layers calls apply makes, each one HTTP request through `client.LayersClient`.

Kept in one place so the step handlers read like the guide; every call goes through the
client's `request` / `list_all`, so retries, pacing and idempotency keys apply to all.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from layers_reconcile.errors import NotFoundError

if TYPE_CHECKING:
    from layers_reconcile.client import LayersClient

JsonDict = dict[str, Any]


def body_of(response: Any) -> Any:
    """The JSON of a client response (the client returns a Response; fakes may return a dict)."""
    return getattr(response, "json", response)


def once() -> str:
    """A key for one logical call of a request that is idempotent by state (approve, reschedule):
    retries of that call replay, and a later call (after a regenerate, A -> B -> A) acts again."""
    return str(uuid.uuid4())


def _q(value: str) -> str:
    return quote(str(value), safe="")


class Api:
    def __init__(self, client: LayersClient) -> None:
        self.client = client

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
    ) -> JsonDict:
        response = await self.client.request(
            method,
            path,
            json=json,
            params=params,
            idempotency_key=idempotency_key,
            idempotent=idempotent,
        )
        body = body_of(response)
        return body if isinstance(body, dict) else {}

    # projects ------------------------------------------------------------------------------
    async def find_projects(self, customer_external_id: str) -> list[JsonDict]:
        return await self.client.list_all(
            "/v1/projects", {"customerExternalId": customer_external_id}
        )

    async def get_project(self, project_id: str) -> JsonDict:
        return await self._call("GET", f"/v1/projects/{_q(project_id)}")

    async def create_project(self, body: JsonDict, idempotency_key: str) -> JsonDict:
        return await self._call("POST", "/v1/projects", json=body, idempotency_key=idempotency_key)

    async def patch_project(
        self, project_id: str, body: JsonDict, idempotency_key: str | None = None
    ) -> JsonDict:
        return await self._call(
            "PATCH", f"/v1/projects/{_q(project_id)}", json=body, idempotency_key=idempotency_key
        )

    async def archive_project(self, project_id: str) -> JsonDict:
        return await self._call("DELETE", f"/v1/projects/{_q(project_id)}")

    async def patch_approval_policy(
        self, project_id: str, body: JsonDict, idempotency_key: str | None = None
    ) -> JsonDict:
        return await self._call(
            "PATCH",
            f"/v1/projects/{_q(project_id)}/approval-policy",
            json=body,
            idempotency_key=idempotency_key,
        )

    async def request_id_of_job(self, job_id: str) -> str | None:
        """The requestId of a fresh read of a job, for a failure report to quote."""
        response = await self.client.request("GET", f"/v1/jobs/{_q(job_id)}")
        rid = getattr(response, "request_id", None)
        return rid if isinstance(rid, str) else None

    # github --------------------------------------------------------------------------------
    async def installations(self) -> list[JsonDict]:
        """Every registered installation the key can see ([] when none)."""
        try:
            found = await self._call("GET", "/v1/github/installation")
        except NotFoundError:
            return []
        listed = found.get("installations") or found.get("items")
        if isinstance(listed, list):
            return [i for i in listed if isinstance(i, dict)]
        return [found] if found else []

    async def install_url(self, return_url: str, login: str | None = None) -> JsonDict:
        params = {"returnUrl": return_url}
        if login:
            params["login"] = login
        return await self._call("GET", "/v1/github/installation/install-url", params=params)

    async def register_installation(
        self, installation_id: int, state: str, idempotency_key: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            "/v1/github/installation",
            json={"installationId": installation_id, "state": state},
            idempotency_key=idempotency_key,
        )

    async def ingest_github(
        self, project_id: str, body: JsonDict, idempotency_key: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/projects/{_q(project_id)}/ingest/github",
            json=body,
            idempotency_key=idempotency_key,
        )

    # influencers ---------------------------------------------------------------------------
    async def list_influencers(self, project_id: str) -> list[JsonDict]:
        return await self.client.list_all(f"/v1/projects/{_q(project_id)}/influencers")

    async def get_influencer(self, influencer_id: str) -> JsonDict:
        return await self._call("GET", f"/v1/influencers/{_q(influencer_id)}")

    async def create_influencer(
        self, project_id: str, body: JsonDict, idempotency_key: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/projects/{_q(project_id)}/influencers",
            json=body,
            idempotency_key=idempotency_key,
        )

    # content -------------------------------------------------------------------------------
    async def list_content(self, project_id: str) -> list[JsonDict]:
        return await self.client.list_all(f"/v1/projects/{_q(project_id)}/content")

    async def get_content(self, container_id: str) -> JsonDict:
        return await self._call("GET", f"/v1/content/{_q(container_id)}")

    async def generate_content(
        self, project_id: str, body: JsonDict, idempotency_key: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/projects/{_q(project_id)}/content",
            json=body,
            idempotency_key=idempotency_key,
        )

    async def regenerate_content(
        self, container_id: str, body: JsonDict, idempotency_key: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/content/{_q(container_id)}/regenerate",
            json=body,
            idempotency_key=idempotency_key,
        )

    async def approve_content(self, container_id: str, note: str) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/content/{_q(container_id)}/approve",
            json={"note": note},
            idempotency_key=once(),
        )

    # social --------------------------------------------------------------------------------
    async def oauth_url(self, project_id: str, platform: str, return_url: str) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/projects/{_q(project_id)}/social/oauth-url",
            json={"platform": platform, "returnUrl": return_url},
            idempotent=True,  # a retry makes at most a spare state nobody opens
        )

    async def reauth_url(
        self, project_id: str, social_account_id: str, return_url: str
    ) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/projects/{_q(project_id)}/social/reauth-url",
            json={"socialAccountId": social_account_id, "returnUrl": return_url},
            idempotent=True,
        )

    async def oauth_status(self, project_id: str, state: str) -> JsonDict:
        return await self._call(
            "GET", f"/v1/projects/{_q(project_id)}/social/oauth-status", params={"state": state}
        )

    async def list_social_accounts(self, project_id: str) -> list[JsonDict]:
        return await self.client.list_all(f"/v1/projects/{_q(project_id)}/social-accounts")

    # publishing ----------------------------------------------------------------------------
    async def schedule(self, container_id: str, body: JsonDict, idempotency_key: str) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/content/{_q(container_id)}/schedule",
            json=body,
            idempotency_key=idempotency_key,
        )

    async def list_scheduled_posts(self, project_id: str) -> list[JsonDict]:
        return await self.client.list_all(f"/v1/projects/{_q(project_id)}/scheduled-posts")

    async def get_scheduled_post(self, post_id: str) -> JsonDict:
        return await self._call("GET", f"/v1/scheduled-posts/{_q(post_id)}")

    async def reschedule(self, post_id: str, scheduled_for: str) -> JsonDict:
        return await self._call(
            "POST",
            f"/v1/scheduled-posts/{_q(post_id)}/reschedule",
            json={"scheduledFor": scheduled_for},
            idempotency_key=once(),
        )

    async def cancel_post(self, post_id: str) -> JsonDict:
        return await self._call("DELETE", f"/v1/scheduled-posts/{_q(post_id)}")
