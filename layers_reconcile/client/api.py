"""`LayersClient`: the typed helpers of the Layers API on top of the transport core.

Each helper is one HTTP call (the `list_*` ones: every page of one list) and returns the parsed
JSON, checked first against its wire record (`records.py`) when the reconciler relies on its
shape: an answer of the wrong shape is an `UnexpectedAnswerError`, never a plan. Paths and
shapes follow the onboarding guide, then CONTRACT.md Rev A. Job-starting and creating calls take
the caller's `idempotency_key` (see `layers_reconcile.ids`).

This is the ONE surface of the API: plan and apply both call it. The per-call rules live here:
- a call that is idempotent by state (approve, reschedule, the OAuth/reauth URLs) gets no
  derived key: `request` gives it a one-shot key, so retries of that call replay while a later
  call (after a regenerate, A -> B -> A) acts again (`retrying.repeatable` lets them retry);
- the installations answer is parsed once (`installations`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from layers_reconcile import records
from layers_reconcile.client.core import ClientCore
from layers_reconcile.client.records import (
    Container,
    Influencer,
    Installation,
    Job,
    Page,
    Project,
    Record,
    ScheduledPost,
    Shape,
    SocialAccount,
)
from layers_reconcile.client.wire import Response, segment
from layers_reconcile.errors import NotFoundError
from layers_reconcile.instants import iso_instant
from layers_reconcile.records import JsonObject

T = TypeVar("T")

# Page sizes: the documented maximum of each list, so a list costs as few reads as possible.
PROJECTS_PAGE = 200
CONTENT_PAGE = 200
INFLUENCERS_PAGE = 100
SOCIAL_ACCOUNTS_PAGE = 200
SCHEDULED_POSTS_PAGE = 100


def utc_timestamp(value: str | datetime) -> str:
    """An ISO-8601 UTC instant with `Z`, as the API writes them (strings pass through)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no instant; give it a time zone")
    return iso_instant(value)


class LayersClient(ClientCore):
    """The Layers partner API. Construct, `async with`, call `whoami()` to start pacing."""

    async def _get(self, path: str, record: Shape[T], params: dict[str, Any] | None = None) -> T:
        return self.checked(record, await self.request("GET", path, params=params), "GET", path)

    async def _send(
        self,
        method: str,
        path: str,
        body: Any,
        record: Shape[T],
        idempotency_key: str | None = None,
    ) -> T:
        response = await self.request(method, path, json=body, idempotency_key=idempotency_key)
        return self.checked(record, response, method, path)

    async def _post(
        self, path: str, body: Any, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return await self._send("POST", path, body, Record, idempotency_key)

    async def _patch(
        self, path: str, body: Any, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return await self._send("PATCH", path, body, Record, idempotency_key)

    async def _delete(self, path: str, *, idempotency_key: str | None = None) -> JsonObject:
        response = await self.request("DELETE", path, idempotency_key=idempotency_key)
        return self.checked(Record, response, "DELETE", path)

    # -- projects -----------------------------------------------------------------------------

    async def find_projects(self, customer_external_id: str) -> list[records.Project]:
        """`GET /v1/projects?customerExternalId=`: the projects bound to that handle (one page)."""
        path = "/v1/projects"
        answer = await self.request(
            "GET", path, params={"customerExternalId": customer_external_id, "limit": PROJECTS_PAGE}
        )
        page = self.checked(Page, answer, "GET", path)
        return [self.checked(Project, _one(answer, item), "GET", path) for item in page["items"]]

    async def list_projects(self) -> list[records.Project]:
        return await self.list_all("/v1/projects", {"limit": PROJECTS_PAGE}, Project)

    async def get_project(self, project_id: str) -> records.Project:
        return await self._get(f"/v1/projects/{segment(project_id)}", Project)

    async def create_project(
        self, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Project:
        """`POST /v1/projects` (201, the full row); put `ids.project_id_for(...)` in `body["id"]`."""
        return await self._send("POST", "/v1/projects", body, Project, idempotency_key)

    async def patch_project(
        self, project_id: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> records.Project:
        """`PATCH /v1/projects/:id`: only the fields given change; `metadata` is replaced whole."""
        return await self._send(
            "PATCH", f"/v1/projects/{segment(project_id)}", body, Project, idempotency_key
        )

    async def archive_project(self, project_id: str) -> dict[str, Any]:
        """`DELETE /v1/projects/:id`: soft archive (repeatable, 200 again)."""
        return await self._delete(f"/v1/projects/{segment(project_id)}")

    async def job_request_id(self, job_id: str) -> str | None:
        """The requestId of a fresh read of a job, for a failure report to quote."""
        return (await self.request("GET", f"/v1/jobs/{segment(job_id)}")).request_id

    async def get_approval_policy(self, project_id: str) -> dict[str, Any]:
        return await self.get_json(f"/v1/projects/{segment(project_id)}/approval-policy")

    async def patch_approval_policy(
        self, project_id: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self._patch(
            f"/v1/projects/{segment(project_id)}/approval-policy",
            body,
            idempotency_key=idempotency_key,
        )

    # -- GitHub -------------------------------------------------------------------------------

    async def get_installation(self) -> records.Installation:
        """`GET /v1/github/installation`; NotFoundError when none is registered."""
        return await self._get("/v1/github/installation", Installation)

    async def installations(self) -> list[dict[str, Any]]:
        """Every registered installation the key can see ([] when none is registered).

        The API shows the latest registration; the emulator adds all of them as `installations`.
        """
        try:
            found = await self.get_installation()
        except NotFoundError:
            return []
        listed = found.get("installations") or found.get("items")
        if isinstance(listed, list):
            return [i for i in listed if isinstance(i, dict)]
        return [cast(JsonObject, found)] if found else []

    async def install_url(self, return_url: str, login: str | None = None) -> dict[str, Any]:
        """`GET /v1/github/installation/install-url?returnUrl=&login=` (authorizeUrl, state)."""
        return await self.get_json(
            "/v1/github/installation/install-url",
            params={"returnUrl": return_url, "login": login},
        )

    async def register_installation(
        self, installation_id: int, state: str, idempotency_key: str | None = None
    ) -> records.Installation:
        """`POST /v1/github/installation`. Without `idempotency_key` it is not retried after an
        ambiguous failure (the `state` may already be spent: a lost answer surfaces and the caller
        re-reads the installation); with one, a retry replays the first answer.
        """
        return await self._send(
            "POST",
            "/v1/github/installation",
            {"installationId": installation_id, "state": state},
            Installation,
            idempotency_key,
        )

    async def ingest_github(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/ingest/github` (202 job envelope with `jobId`)."""
        return await self._send(
            "POST", f"/v1/projects/{segment(project_id)}/ingest/github", body, Job, idempotency_key
        )

    # -- influencers --------------------------------------------------------------------------

    async def list_influencers(self, project_id: str) -> list[records.Influencer]:
        return await self.list_all(
            f"/v1/projects/{segment(project_id)}/influencers",
            {"limit": INFLUENCERS_PAGE},
            Influencer,
        )

    async def get_influencer(self, influencer_id: str) -> records.Influencer:
        return await self._get(f"/v1/influencers/{segment(influencer_id)}", Influencer)

    async def create_influencer(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/influencers` (202 job envelope with the new `influencerId`)."""
        return await self._send(
            "POST", f"/v1/projects/{segment(project_id)}/influencers", body, Job, idempotency_key
        )

    # -- content ------------------------------------------------------------------------------

    async def list_content(self, project_id: str) -> list[records.Container]:
        return await self.list_all(
            f"/v1/projects/{segment(project_id)}/content", {"limit": CONTENT_PAGE}, Container
        )

    async def get_content(self, container_id: str) -> records.Container:
        return await self._get(f"/v1/content/{segment(container_id)}", Container)

    async def generate_content(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/content` (202: `jobId`, `containerIds`); `body["id"]` from
        `ids.content_id_for(...)` makes it an upsert."""
        return await self._send(
            "POST", f"/v1/projects/{segment(project_id)}/content", body, Job, idempotency_key
        )

    async def regenerate_content(
        self, container_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/content/:id/regenerate` (a job; approval resets to pending when gated)."""
        return await self._send(
            "POST", f"/v1/content/{segment(container_id)}/regenerate", body, Job, idempotency_key
        )

    async def approve_content(self, container_id: str, note: str | None = None) -> dict[str, Any]:
        """`POST /v1/content/:id/approve`. Approval is a target state, so it is retried freely."""
        return await self._post(
            f"/v1/content/{segment(container_id)}/approve",
            {"note": note} if note else {},
        )

    # -- social -------------------------------------------------------------------------------

    async def oauth_url(self, project_id: str, platform: str, return_url: str) -> dict[str, Any]:
        """`POST /v1/projects/:id/social/oauth-url` (authorizeUrl, state, expiresAt).

        The endpoint ignores `Idempotency-Key`; a retry after a lost answer only mints another
        short-lived state, so it is treated as repeatable.
        """
        return await self._post(
            f"/v1/projects/{segment(project_id)}/social/oauth-url",
            {"platform": platform, "returnUrl": return_url},
        )

    async def reauth_url(
        self, project_id: str, social_account_id: str, return_url: str
    ) -> dict[str, Any]:
        """`POST /v1/projects/:id/social/reauth-url`: repeatable like `oauth_url`."""
        return await self._post(
            f"/v1/projects/{segment(project_id)}/social/reauth-url",
            {"socialAccountId": social_account_id, "returnUrl": return_url},
        )

    async def oauth_status(self, project_id: str, state: str) -> dict[str, Any]:
        """`GET /v1/projects/:id/social/oauth-status?state=` (pending|completed|failed)."""
        return await self.get_json(
            f"/v1/projects/{segment(project_id)}/social/oauth-status", params={"state": state}
        )

    async def list_social_accounts(self, project_id: str) -> list[records.SocialAccount]:
        return await self.list_all(
            f"/v1/projects/{segment(project_id)}/social-accounts",
            {"limit": SOCIAL_ACCOUNTS_PAGE},
            SocialAccount,
        )

    # -- publishing ---------------------------------------------------------------------------

    async def schedule(
        self, container_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> dict[str, Any]:
        """`POST /v1/content/:id/schedule` (`scheduledPostIds`, `gateStatus`); give each target
        its `scheduledPostId` from `ids.post_id_for(...)`."""
        return await self._post(
            f"/v1/content/{segment(container_id)}/schedule",
            body,
            idempotency_key=idempotency_key,
        )

    async def list_scheduled_posts(self, project_id: str) -> list[records.ScheduledPost]:
        return await self.list_all(
            f"/v1/projects/{segment(project_id)}/scheduled-posts",
            {"limit": SCHEDULED_POSTS_PAGE},
            ScheduledPost,
        )

    async def get_scheduled_post(self, post_id: str) -> records.ScheduledPost:
        return await self._get(f"/v1/scheduled-posts/{segment(post_id)}", ScheduledPost)

    async def reschedule(self, post_id: str, scheduled_for: str | datetime) -> dict[str, Any]:
        """`POST /v1/scheduled-posts/:id/reschedule`; an absolute time, so repeatable."""
        return await self._post(
            f"/v1/scheduled-posts/{segment(post_id)}/reschedule",
            {"scheduledFor": utc_timestamp(scheduled_for)},
        )

    async def cancel_post(self, post_id: str) -> dict[str, Any]:
        """`DELETE /v1/scheduled-posts/:id`. A repeat answers 409 CONFLICT (already terminal)."""
        return await self._delete(f"/v1/scheduled-posts/{segment(post_id)}")


def _one(page: Response, item: dict[str, Any]) -> Response:
    """One item of `page` as an answer of its own (for its requestId in an error)."""
    return Response(page.status, item, page.headers)
