"""Every query string the emulator reads, as a pydantic model (also its OpenAPI parameters).

Queries are validated in lax mode (`limit=25` is the integer 25). Parameters named in `multi`
take comma-separated values and may repeat (`status=queued,failed&status=canceled`); an issue
names the parameter only (`status`, not `status[1]`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictStr, ValidationError
from starlette.datastructures import QueryParams

from layers_reconcile.emulator import world
from layers_reconcile.emulator.fields import (
    ContentFormat,
    Instant,
    NonEmpty,
    Platform,
    WireFormat,
    text,
)
from layers_reconcile.emulator.validation import Between, Issues, fail, issues_of

Q = TypeVar("Q", bound="Query")

Limit100 = Annotated[int, Between(1, 100)] | None
Limit200 = Annotated[int, Between(1, 200)] | None
ContentStatus = Literal["queued", "generating", "processing", "completed", "failed", "canceled"]
Approval = Literal["not_required", "pending", "approved", "rejected"]
PostStatus = Literal["queued", "publishing", "draft_in_inbox", "published", "failed", "canceled"]
PostStatusB = Literal["queued", "publishing", "draft", "published", "failed", "canceled"]
InfluencerStatus = Literal["draft", "pending", "training", "ready", "failed"]
AccountStatus = Literal["connected", "reauth_required", "disconnected"]


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")
    multi: ClassVar[tuple[str, ...]] = ()


def parse_query(model: type[Q], query: QueryParams) -> Q:
    """The validated query, or the VALIDATION error (422) naming each bad parameter."""
    data: dict[str, object] = {}
    for name in model.model_fields:
        values = query.getlist(name)
        if values and name in model.multi:
            data[name] = [v for raw in values for v in raw.split(",") if v]
        elif values:
            data[name] = values[-1]
    issues = Issues()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for issue in issues_of(exc, Query):
            issues.add(issue["path"].split("[")[0].split(".")[0], issue["message"])
    issues.check()
    raise AssertionError("unreachable")


class Page100(Query):
    limit: Limit100 = None
    cursor: str | None = None


class Page200(Query):
    limit: Limit200 = None
    cursor: str | None = None


class ProjectsQuery(Page200):
    status: Literal["active", "archived"] | None = None
    customerExternalId: str | None = None
    search: str | None = None


class ContentQuery(Page200):
    multi = ("status", "format", "approvalStatus")
    status: list[ContentStatus] | None = None
    format: list[ContentFormat] | None = None
    approvalStatus: list[Approval] | None = None
    since: Instant | None = None
    until: Instant | None = None


class ContentQueryB(Page200):
    multi = ("status", "format", "approvalStatus")
    status: list[Literal["queued", "processing", "completed", "failed", "canceled"]] | None = None
    format: list[WireFormat] | None = None
    approvalStatus: list[Approval] | None = None
    since: Instant | None = None
    until: Instant | None = None


class SourceRecommendationsQuery(Query):
    keyword: Annotated[str, text(1, 200)] | None = None
    kind: Literal["video", "slideshow", "mixed"] | None = None
    limit: Annotated[int, Between(1, 50)] | None = None
    cursor: str | None = None


class InfluencersQuery(Page100):
    status: InfluencerStatus | None = None


class PostsQuery(Page100):
    multi = ("status",)
    status: list[PostStatus] | None = None
    socialAccountId: str | None = None
    since: Instant | None = None
    until: Instant | None = None


class PostsQueryB(PostsQuery):
    status: list[PostStatusB] | None = None  # type: ignore[assignment]


class AccountsQuery(Page200):
    platform: Platform | None = None
    status: AccountStatus | None = None
    leased: Literal["true", "false"] | None = None


class SdkAppsQuery(Page100):
    platform: str | None = None


class OAuthStatusQuery(Query):
    state: NonEmpty


def _login(value: str) -> str:
    if not world.valid_login(value):
        raise fail("must be a GitHub login")
    return value


class ConsentQuery(Query):
    """The people pages: `state` from the authorize URL; `login`/`handle` name who consents."""

    state: NonEmpty
    login: str | None = None
    handle: str | None = None
    deny: str | None = None


class InstallUrlQuery(Query):
    returnUrl: StrictStr
    login: Annotated[StrictStr, AfterValidator(_login)] | None = None
    state: Annotated[StrictStr, text(0, 200)] | None = None


# --- organizations (Rev B, CONTRACT-revb.md §2) -----------------------------------------------


def _zulu(value: str) -> str:
    """Ledger bounds: ISO-8601 in UTC with `Z` (the `+00:00` form is refused, as documented)."""
    if not value.endswith("Z"):
        raise fail("must be an ISO-8601 instant ending in Z, e.g. 2026-06-01T00:00:00Z")
    return value


ZuluInstant = Annotated[Instant, AfterValidator(_zulu)]


class OrganizationsQuery(Page200):
    status: Literal["active", "suspended", "archived"] | None = None


class CreditEventsQuery(Page100):
    projectId: str | None = None
    eventType: (
        Literal["usage", "refund", "grant", "purchase", "adjustment", "allocation"] | None
    ) = None
    since: ZuluInstant | None = None
    until: ZuluInstant | None = None
