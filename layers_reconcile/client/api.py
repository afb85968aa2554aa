"""`LayersClient`: the typed helpers of the Layers API on top of the transport core.

Each helper is one call of an endpoint declared in `endpoints.py` (the `list_*` ones: every page
of one list) and returns the parsed JSON, checked first against the endpoint's wire record
(`records.py`): an answer of the wrong shape is an `UnexpectedAnswerError`, never a plan. Paths and
shapes follow the onboarding guide, then CONTRACT.md Rev A. Job-starting and creating calls take
the caller's `idempotency_key` (see `layers_reconcile.ids`).

This is the ONE surface of the API: plan and apply both call it. The per-call rules live here:
- a call that is idempotent by state (approve, reschedule, the OAuth/reauth URLs) gets no
  derived key: `request` gives it a one-shot key, so retries of that call replay while a later
  call (after a regenerate, A -> B -> A) acts again (declared `retry_safe`, so they retry);
- the installations answer is parsed once (`installations`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from layers_reconcile import records
from layers_reconcile.client import endpoints
from layers_reconcile.client.core import ClientCore
from layers_reconcile.client.records import Page, Shape, check
from layers_reconcile.client.wire import Response
from layers_reconcile.errors import NotFoundError
from layers_reconcile.instants import iso_instant

T = TypeVar("T")

INSTALLATION = Shape.of(records.Installation, "installation")

# Page sizes: the documented maximum of each list, so a list costs as few reads as possible.
PROJECTS_PAGE = 200
CONTENT_PAGE = 200
INFLUENCERS_PAGE = 100
SOCIAL_ACCOUNTS_PAGE = 200
SCHEDULED_POSTS_PAGE = 100
ORGANIZATIONS_PAGE = 200
CREDIT_EVENTS_PAGE = 100


def utc_timestamp(value: str | datetime) -> str:
    """An ISO-8601 UTC instant with `Z`, as the API writes them (strings pass through)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no instant; give it a time zone")
    return iso_instant(value)


class LayersClient(ClientCore):
    """The Layers partner API. Construct, `async with`, call `whoami()` to start pacing."""

    # -- projects -----------------------------------------------------------------------------

    async def find_projects(self, customer_external_id: str) -> list[records.Project]:
        """`GET /v1/projects?customerExternalId=`: the projects bound to that handle (one page)."""
        endpoint = endpoints.LIST_PROJECTS
        path = endpoint.path()
        answer = await self.request(
            "GET",
            path,
            params={"customerExternalId": customer_external_id, "limit": PROJECTS_PAGE},
            endpoint=endpoint,
        )
        page = self.checked(Page, answer, "GET", path)
        return [
            self.checked(endpoint.record, _one(answer, item), "GET", path) for item in page["items"]
        ]

    async def list_projects(self, status: str | None = None) -> list[records.Project]:
        """Every project the key can see (`status`: only those with that status)."""
        return await self.list_of(
            endpoints.LIST_PROJECTS, params={"limit": PROJECTS_PAGE, "status": status}
        )

    async def get_project(self, project_id: str) -> records.Project:
        return await self.call(endpoints.GET_PROJECT, project_id)

    async def create_project(
        self, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Project:
        """`POST /v1/projects` (201, the full row); put `ids.project_id_for(...)` in `body["id"]`."""
        return await self.call(endpoints.CREATE_PROJECT, body=body, idempotency_key=idempotency_key)

    async def patch_project(
        self, project_id: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> records.Project:
        """`PATCH /v1/projects/:id`: only the fields given change; `metadata` is replaced whole."""
        return await self.call(
            endpoints.PATCH_PROJECT, project_id, body=body, idempotency_key=idempotency_key
        )

    async def archive_project(self, project_id: str) -> records.Answer:
        """`DELETE /v1/projects/:id`: soft archive (repeatable, 200 again)."""
        return await self.call(endpoints.ARCHIVE_PROJECT, project_id)

    async def job_request_id(self, job_id: str) -> str | None:
        """The requestId of a fresh read of a job, for a failure report to quote."""
        endpoint = endpoints.GET_JOB
        return (await self.request("GET", endpoint.path(job_id), endpoint=endpoint)).request_id

    async def get_approval_policy(self, project_id: str) -> records.ApprovalPolicy:
        return await self.call(endpoints.GET_APPROVAL_POLICY, project_id)

    async def patch_approval_policy(
        self, project_id: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> records.ApprovalPolicy:
        return await self.call(
            endpoints.PATCH_APPROVAL_POLICY, project_id, body=body, idempotency_key=idempotency_key
        )

    async def get_review_policy(self, project_id: str) -> records.ReviewPolicy:
        """Rev B: `GET /v1/projects/:id/content-review-policy`."""
        return await self.call(endpoints.GET_REVIEW_POLICY, project_id)

    async def patch_review_policy(
        self, project_id: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> records.ReviewPolicy:
        """Rev B: `{policy, firstN?}`; the whole policy is sent (a discriminated union)."""
        return await self.call(
            endpoints.PATCH_REVIEW_POLICY, project_id, body=body, idempotency_key=idempotency_key
        )

    # -- GitHub -------------------------------------------------------------------------------

    async def get_installation(self) -> records.InstallationAnswer:
        """`GET /v1/github/installation`; NotFoundError when none is registered."""
        return await self.call(endpoints.GET_INSTALLATION)

    async def installations(self) -> list[records.Installation]:
        """Every registered installation the key can see ([] when none is registered).

        The API shows the latest registration; the emulator adds all of them as `installations`.
        Each is parsed here, once (its login under either spelling: `records.Installation`).
        """
        path = endpoints.GET_INSTALLATION.path()
        try:
            found = await self.get_installation()
        except NotFoundError:
            return []
        listed = found.installations or found.items
        rows = (
            [i for i in listed if isinstance(i, dict)]
            if isinstance(listed, list)
            else [found.raw()]
        )
        return [check(INSTALLATION, row, method="GET", path=path, request_id=None) for row in rows]

    async def install_url(self, return_url: str, login: str | None = None) -> records.ConsentUrl:
        """`GET /v1/github/installation/install-url?returnUrl=&login=` (authorizeUrl, state)."""
        return await self.call(
            endpoints.INSTALL_URL, params={"returnUrl": return_url, "login": login}
        )

    async def register_installation(
        self, installation_id: int, state: str, idempotency_key: str | None = None
    ) -> records.InstallationAnswer:
        """`POST /v1/github/installation`. Without `idempotency_key` it is not retried after an
        ambiguous failure (the `state` may already be spent: a lost answer surfaces and the caller
        re-reads the installation); with one, a retry replays the first answer.
        """
        return await self.call(
            endpoints.REGISTER_INSTALLATION,
            body={"installationId": installation_id, "state": state},
            idempotency_key=idempotency_key,
        )

    async def ingest_github(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/ingest/github` (202 job envelope with `jobId`)."""
        return await self.call(
            endpoints.INGEST_GITHUB, project_id, body=body, idempotency_key=idempotency_key
        )

    # -- influencers --------------------------------------------------------------------------

    async def list_influencers(self, project_id: str) -> list[records.Influencer]:
        return await self.list_of(
            endpoints.LIST_INFLUENCERS, project_id, params={"limit": INFLUENCERS_PAGE}
        )

    async def get_influencer(self, influencer_id: str) -> records.Influencer:
        return await self.call(endpoints.GET_INFLUENCER, influencer_id)

    async def create_influencer(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/influencers` (202 job envelope with the new `influencerId`)."""
        return await self.call(
            endpoints.CREATE_INFLUENCER, project_id, body=body, idempotency_key=idempotency_key
        )

    # -- content ------------------------------------------------------------------------------

    async def list_content(self, project_id: str) -> list[records.Container]:
        return await self.list_of(
            endpoints.LIST_CONTENT, project_id, params={"limit": CONTENT_PAGE}
        )

    async def get_content(self, container_id: str) -> records.Container:
        return await self.call(endpoints.GET_CONTENT, container_id)

    async def generate_content(
        self, project_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/projects/:id/content` (202: `jobId`, `containerIds`); `body["id"]` from
        `ids.content_id_for(...)` makes it an upsert."""
        return await self.call(
            endpoints.GENERATE_CONTENT, project_id, body=body, idempotency_key=idempotency_key
        )

    async def generate_content_b(
        self, project_id: str, route: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """Rev B `POST /v1/projects/:id/content/{route}` (`slideshow-builder`, …): 202 with
        `jobId`, a one-element `containerIds` and `locationUrl`. Rev B takes no partner-chosen
        container id: the `idempotency_key` is what makes a resend the same container."""
        endpoint = endpoints.GENERATE_B.get(route)
        if endpoint is None:
            raise ValueError(f"no Rev B generation route {route!r}")
        return await self.call(endpoint, project_id, body=body, idempotency_key=idempotency_key)

    async def regenerate_content(
        self, container_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.Job:
        """`POST /v1/content/:id/regenerate` (a job; approval resets to pending when gated)."""
        return await self.call(
            endpoints.REGENERATE_CONTENT, container_id, body=body, idempotency_key=idempotency_key
        )

    async def approve_content(self, container_id: str, note: str | None = None) -> records.Answer:
        """`POST /v1/content/:id/approve`. Approval is a target state, so it is retried freely."""
        return await self.call(
            endpoints.APPROVE_CONTENT, container_id, body={"note": note} if note else {}
        )

    # -- social -------------------------------------------------------------------------------

    async def oauth_url(
        self, project_id: str, platform: str, return_url: str
    ) -> records.ConsentUrl:
        """`POST /v1/projects/:id/social/oauth-url` (authorizeUrl, state, expiresAt).

        The endpoint ignores `Idempotency-Key`; a retry after a lost answer only mints another
        short-lived state, so it is declared repeatable.
        """
        return await self.call(
            endpoints.OAUTH_URL,
            project_id,
            body={"platform": platform, "returnUrl": return_url},
        )

    async def reauth_url(
        self, project_id: str, social_account_id: str, return_url: str
    ) -> records.ConsentUrl:
        """`POST /v1/projects/:id/social/reauth-url`: repeatable like `oauth_url`."""
        return await self.call(
            endpoints.REAUTH_URL,
            project_id,
            body={"socialAccountId": social_account_id, "returnUrl": return_url},
        )

    async def oauth_status(self, project_id: str, state: str) -> records.OAuthStatus:
        """`GET /v1/projects/:id/social/oauth-status?state=` (pending|completed|failed)."""
        return await self.call(endpoints.OAUTH_STATUS, project_id, params={"state": state})

    async def list_social_accounts(self, project_id: str) -> list[records.SocialAccount]:
        return await self.list_of(
            endpoints.LIST_SOCIAL_ACCOUNTS, project_id, params={"limit": SOCIAL_ACCOUNTS_PAGE}
        )

    # -- publishing ---------------------------------------------------------------------------

    async def schedule(
        self, container_id: str, body: dict[str, Any], idempotency_key: str | None
    ) -> records.ScheduleAnswer:
        """`POST /v1/content/:id/schedule` (`scheduledPostIds`, `gateStatus`); give each target
        its `scheduledPostId` from `ids.post_id_for(...)`."""
        return await self.call(
            endpoints.SCHEDULE, container_id, body=body, idempotency_key=idempotency_key
        )

    async def list_scheduled_posts(self, project_id: str) -> list[records.ScheduledPost]:
        return await self.list_of(
            endpoints.LIST_SCHEDULED_POSTS, project_id, params={"limit": SCHEDULED_POSTS_PAGE}
        )

    async def get_scheduled_post(self, post_id: str) -> records.ScheduledPost:
        return await self.call(endpoints.GET_SCHEDULED_POST, post_id)

    async def reschedule(self, post_id: str, scheduled_for: str | datetime) -> records.Answer:
        """`POST /v1/scheduled-posts/:id/reschedule`; an absolute time, so repeatable."""
        return await self.call(
            endpoints.RESCHEDULE, post_id, body={"scheduledFor": utc_timestamp(scheduled_for)}
        )

    async def cancel_post(self, post_id: str) -> records.Answer:
        """`DELETE /v1/scheduled-posts/:id`. A repeat answers 409 CONFLICT (already terminal)."""
        return await self.call(endpoints.CANCEL_POST, post_id)

    # -- child organizations (Rev B, org:admin; the child named in the path) -------------------

    async def list_organizations(self) -> list[records.Organization]:
        """Every direct child of the key's organization, whatever its status."""
        return await self.list_of(
            endpoints.LIST_ORGANIZATIONS, params={"limit": ORGANIZATIONS_PAGE}
        )

    async def get_organization(self, org_id: str) -> records.Organization:
        """One child with its `summary` (credit config, balance)."""
        return await self.call(endpoints.GET_ORGANIZATION, org_id)

    async def create_organization(
        self, body: dict[str, Any], idempotency_key: str
    ) -> records.Organization:
        return await self.call(
            endpoints.CREATE_ORGANIZATION, body=body, idempotency_key=idempotency_key
        )

    async def patch_organization(self, org_id: str, body: dict[str, Any]) -> records.Organization:
        """`metadata` merges per key (`""` unsets one); the other fields are set as given."""
        return await self.call(endpoints.PATCH_ORGANIZATION, org_id, body=body)

    async def archive_organization(self, org_id: str) -> records.Archived:
        """Terminal: keys revoked, the unreserved balance swept back (`reclaimedCredits`)."""
        return await self.call(endpoints.ARCHIVE_ORGANIZATION, org_id)

    async def suspend_organization(self, org_id: str) -> records.Organization:
        return await self.call(endpoints.SUSPEND_ORGANIZATION, org_id)

    async def resume_organization(self, org_id: str) -> records.Organization:
        return await self.call(endpoints.RESUME_ORGANIZATION, org_id)

    async def migrate_projects(
        self, mapping: dict[str, str], idempotency_key: str
    ) -> records.Migration:
        """`POST /v1/organizations/migrate`: flat projects into children, all or nothing."""
        return await self.call(
            endpoints.MIGRATE_PROJECTS, body={"mapping": mapping}, idempotency_key=idempotency_key
        )

    async def list_allocations(self, org_id: str) -> list[records.CreditEvent]:
        """The child's ledger rows of transfers in (`eventType=allocation`), newest first."""
        return await self.list_of(
            endpoints.LIST_CREDIT_EVENTS,
            org_id,
            params={"eventType": "allocation", "limit": CREDIT_EVENTS_PAGE},
        )

    async def allocate_credits(
        self, org_id: str, body: dict[str, Any], idempotency_key: str
    ) -> records.Transfer:
        """Move credits from the parent; the same key and body within 24 h move nothing again."""
        return await self.call(
            endpoints.ALLOCATE_CREDITS, org_id, body=body, idempotency_key=idempotency_key
        )

    async def get_credit_config(self, org_id: str) -> records.CreditConfig:
        return await self.call(endpoints.GET_CREDIT_CONFIG, org_id)

    async def patch_credit_config(self, org_id: str, body: dict[str, Any]) -> records.CreditConfig:
        """Only the fields given change (a number sets, null clears)."""
        return await self.call(endpoints.PATCH_CREDIT_CONFIG, org_id, body=body)


def _one(page: Response, item: dict[str, Any]) -> Response:
    """One item of `page` as an answer of its own (for its requestId in an error)."""
    return Response(page.status, item, page.headers)
