"""Every endpoint of the Layers API the tool knows, declared once.

One `Endpoint` says its method, its path template, the wire record its answer must have (for a
list: each item's), its rate-limit class (CONTRACT §2.7) and whether sending it twice without an
`Idempotency-Key` does no more than once. The client helpers call through these declarations,
and the retry decision (`retrying.repeatable`) and the pacer (`pacing.endpoint_class`) read them
instead of tables of their own; a request the table does not know falls back to the method's
rule (GET reads, anything else writes; a POST without a key is not resent after an ambiguous
failure).

Some endpoints are declared only for their rate class (the job-starting content builders,
keyword refresh, clones): the tool does not call them, but a request to one is paced as the
contract says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from layers_reconcile.client import records as shapes
from layers_reconcile.client.records import Shape
from layers_reconcile.client.wire import segment

T = TypeVar("T")


class EndpointClass(StrEnum):
    READ_LIGHT = "read-light"
    WRITE_LIGHT = "write-light"
    LONG_RUNNING = "long-running"


READ, WRITE, LONG = EndpointClass.READ_LIGHT, EndpointClass.WRITE_LIGHT, EndpointClass.LONG_RUNNING
_PARAM = re.compile(r"\{[a-z_]+\}")


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One endpoint: `record` is what its answer (a list's items when `paged`) must look like.

    `retry_safe`: resending it without an idempotency key does no more than sending it once
    (GET, PATCH, DELETE; and POSTs that set a state or mint a short-lived URL).
    """

    method: str
    template: str
    record: Shape[T]
    rate: EndpointClass
    retry_safe: bool
    paged: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = _PARAM.sub(
            "[^/]+", re.escape(self.template).replace(r"\{", "{").replace(r"\}", "}")
        )
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    def path(self, *values: str | int) -> str:
        """The path with each `{placeholder}` filled, in order, by one escaped segment."""
        parts = iter(values)
        path = _PARAM.sub(lambda _: segment(next(parts)), self.template)
        if next(parts, None) is not None:
            raise TypeError(f"{self.template}: too many path values")
        return path


def _read(template: str, record: Shape[T], *, paged: bool = False) -> Endpoint[T]:
    return Endpoint("GET", template, record, READ, retry_safe=True, paged=paged)


def _write(
    method: str, template: str, record: Shape[T], *, rate: EndpointClass = WRITE, safe: bool
) -> Endpoint[T]:
    return Endpoint(method, template, record, rate, retry_safe=safe)


# -- the tool's calls ---------------------------------------------------------------------------
WHOAMI = _read("/v1/whoami", shapes.Whoami)
LIST_PROJECTS = _read("/v1/projects", shapes.Project, paged=True)
GET_PROJECT = _read("/v1/projects/{project_id}", shapes.Project)
CREATE_PROJECT = _write("POST", "/v1/projects", shapes.Project, safe=False)
PATCH_PROJECT = _write("PATCH", "/v1/projects/{project_id}", shapes.Project, safe=True)
ARCHIVE_PROJECT = _write("DELETE", "/v1/projects/{project_id}", shapes.Answer, safe=True)
GET_APPROVAL_POLICY = _read("/v1/projects/{project_id}/approval-policy", shapes.ApprovalPolicy)
PATCH_APPROVAL_POLICY = _write(
    "PATCH", "/v1/projects/{project_id}/approval-policy", shapes.ApprovalPolicy, safe=True
)
# Rev B's review policy (the approval policy's successor, CONTRACT-revb.md §6.3).
GET_REVIEW_POLICY = _read("/v1/projects/{project_id}/content-review-policy", shapes.ReviewPolicy)
PATCH_REVIEW_POLICY = _write(
    "PATCH", "/v1/projects/{project_id}/content-review-policy", shapes.ReviewPolicy, safe=True
)
GET_JOB = _read("/v1/jobs/{job_id}", shapes.Job)

GET_INSTALLATION = _read("/v1/github/installation", shapes.Installation)
INSTALL_URL = _read("/v1/github/installation/install-url", shapes.ConsentUrl)
# The `state` may already be spent: without a key a lost answer is not resent (api.py).
REGISTER_INSTALLATION = _write("POST", "/v1/github/installation", shapes.Installation, safe=False)
INGEST_GITHUB = _write(
    "POST", "/v1/projects/{project_id}/ingest/github", shapes.Job, rate=LONG, safe=False
)

LIST_INFLUENCERS = _read("/v1/projects/{project_id}/influencers", shapes.Influencer, paged=True)
CREATE_INFLUENCER = _write(
    "POST", "/v1/projects/{project_id}/influencers", shapes.Job, rate=LONG, safe=False
)
GET_INFLUENCER = _read("/v1/influencers/{influencer_id}", shapes.Influencer)

LIST_CONTENT = _read("/v1/projects/{project_id}/content", shapes.Container, paged=True)
GENERATE_CONTENT = _write(
    "POST", "/v1/projects/{project_id}/content", shapes.Job, rate=LONG, safe=False
)
# Rev B: one generation route per format (CONTRACT-revb.md §6.2), one container per call.
GENERATE_SLIDESHOW_BUILDER = _write(
    "POST", "/v1/projects/{project_id}/content/slideshow-builder", shapes.Job, rate=LONG, safe=False
)
GENERATE_SLIDESHOW_REMIX = _write(
    "POST", "/v1/projects/{project_id}/content/slideshow-remix", shapes.Job, rate=LONG, safe=False
)
GENERATE_VIDEO_REMIX = _write(
    "POST", "/v1/projects/{project_id}/content/video-remix", shapes.Job, rate=LONG, safe=False
)
GENERATE_UGC_REMIX = _write(
    "POST", "/v1/projects/{project_id}/content/ugc-remix", shapes.Job, rate=LONG, safe=False
)
GENERATE_B: dict[str, Endpoint[Any]] = {
    "slideshow-builder": GENERATE_SLIDESHOW_BUILDER,
    "slideshow-remix": GENERATE_SLIDESHOW_REMIX,
    "video-remix": GENERATE_VIDEO_REMIX,
    "ugc-remix": GENERATE_UGC_REMIX,
}
GET_CONTENT = _read("/v1/content/{container_id}", shapes.Container)
REGENERATE_CONTENT = _write(
    "POST", "/v1/content/{container_id}/regenerate", shapes.Job, rate=LONG, safe=False
)
# Approval is a target state: asking twice approves once.
APPROVE_CONTENT = _write("POST", "/v1/content/{container_id}/approve", shapes.Answer, safe=True)
SCHEDULE = _write("POST", "/v1/content/{container_id}/schedule", shapes.ScheduleAnswer, safe=False)

# The OAuth endpoints ignore `Idempotency-Key`; asking again only mints another short-lived state.
OAUTH_URL = _write(
    "POST", "/v1/projects/{project_id}/social/oauth-url", shapes.ConsentUrl, safe=True
)
REAUTH_URL = _write(
    "POST", "/v1/projects/{project_id}/social/reauth-url", shapes.ConsentUrl, safe=True
)
OAUTH_STATUS = _read("/v1/projects/{project_id}/social/oauth-status", shapes.OAuthStatus)
LIST_SOCIAL_ACCOUNTS = _read(
    "/v1/projects/{project_id}/social-accounts", shapes.SocialAccount, paged=True
)

LIST_SCHEDULED_POSTS = _read(
    "/v1/projects/{project_id}/scheduled-posts", shapes.ScheduledPost, paged=True
)
GET_SCHEDULED_POST = _read("/v1/scheduled-posts/{post_id}", shapes.ScheduledPost)
# An absolute time: moving a post twice moves it once.
RESCHEDULE = _write("POST", "/v1/scheduled-posts/{post_id}/reschedule", shapes.Answer, safe=True)
# A repeat answers 409 CONFLICT (already terminal): nothing is done twice.
CANCEL_POST = _write("DELETE", "/v1/scheduled-posts/{post_id}", shapes.Answer, safe=True)

# -- child organizations (Rev B; every call needs org:admin) ------------------------------------
LIST_ORGANIZATIONS = _read("/v1/organizations", shapes.Organization, paged=True)
GET_ORGANIZATION = _read("/v1/organizations/{org_id}", shapes.Organization)
CREATE_ORGANIZATION = _write("POST", "/v1/organizations", shapes.Organization, safe=False)
# Metadata merges per key and the rest are values: sending it twice sets the same.
PATCH_ORGANIZATION = _write("PATCH", "/v1/organizations/{org_id}", shapes.Organization, safe=True)
# Terminal and idempotent by state: archiving twice answers the archived state.
ARCHIVE_ORGANIZATION = _write("DELETE", "/v1/organizations/{org_id}", shapes.Archived, safe=True)
SUSPEND_ORGANIZATION = _write(
    "POST", "/v1/organizations/{org_id}/suspend", shapes.Organization, safe=True
)
RESUME_ORGANIZATION = _write(
    "POST", "/v1/organizations/{org_id}/resume", shapes.Organization, safe=True
)
MIGRATE_PROJECTS = _write("POST", "/v1/organizations/migrate", shapes.Migration, safe=False)
LIST_CREDIT_EVENTS = _read(
    "/v1/organizations/{org_id}/credits/events", shapes.CreditEvent, paged=True
)
# Money: only ever sent with the deterministic key of its transfer (never resent without one).
ALLOCATE_CREDITS = _write(
    "POST", "/v1/organizations/{org_id}/credits/allocate", shapes.Transfer, safe=False
)
GET_CREDIT_CONFIG = _read("/v1/organizations/{org_id}/credit-config", shapes.CreditConfig)
PATCH_CREDIT_CONFIG = _write(
    "PATCH", "/v1/organizations/{org_id}/credit-config", shapes.CreditConfig, safe=True
)

# -- declared for their rate class only (job starts the tool does not call) --------------------
_JOB_STARTS_NOT_CALLED = tuple(
    _write("POST", template, shapes.Job, rate=LONG, safe=False)
    for template in (
        "/v1/projects/{project_id}/ingest/{source}",
        "/v1/projects/{project_id}/keywords/refresh",
        "/v1/content/{container_id}/clone-from-post",
        "/v1/influencers/{influencer_id}/clone",
    )
)

ALL: tuple[Endpoint[Any], ...] = (
    *(value for value in tuple(globals().values()) if isinstance(value, Endpoint)),
    *_JOB_STARTS_NOT_CALLED,
)

# Looked up by (method, number of segments): a handful of patterns to try per request.
_INDEX: dict[tuple[str, int], list[Endpoint[Any]]] = {}
for _endpoint in ALL:
    _INDEX.setdefault((_endpoint.method, _endpoint.template.count("/")), []).append(_endpoint)


def lookup(method: str, path: str) -> Endpoint[Any] | None:
    """The declared endpoint a request goes to (query and trailing slash ignored), if any."""
    path = path.split("?", 1)[0].rstrip("/")
    for endpoint in _INDEX.get((method.upper(), path.count("/")), ()):
        if endpoint.pattern.match(path):
            return endpoint
    return None


def rate_of(method: str, path: str, endpoint: Endpoint[Any] | None = None) -> EndpointClass:
    """The rate-limit class: the declaration's; undeclared, a GET reads and the rest write."""
    found = endpoint or lookup(method, path)
    if found is not None:
        return found.rate
    return READ if method.upper() in ("GET", "HEAD") else WRITE


def retry_safe(method: str, path: str, endpoint: Endpoint[Any] | None = None) -> bool:
    """Whether resending without a key is harmless: the declaration's; undeclared, all but POST."""
    found = endpoint or lookup(method, path)
    if found is not None:
        return found.retry_safe
    return method.upper() != "POST"
