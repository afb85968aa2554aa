"""Typed wire records: the API's answers and the tool's reserved metadata, described once.

Every answer is a frozen pydantic record (`Model`) read by attribute; the list page and the
tool's own reserved record stay TypedDicts. The client validates every answer it hands out
against these types (pydantic TypeAdapter, `client/records.py`): only the fields the reconciler
relies on are declared, everything else the API sends is kept (`extra="allow"`), so a newer API
that adds fields still validates.

Neutral: imports nothing of the project but `statuses`, so the pure diff may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Required

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
    with_config,
)
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from layers_reconcile.statuses import (
    UNKNOWN,
    ApprovalStatusField,
    ContainerStatusField,
    GateStatusField,
    InfluencerStatusField,
    InstallationStatusField,
    JobStatusField,
    OAuthStatusField,
    PostStatusField,
    ProjectStatusField,
    SocialAccountStatusField,
)

Str = Annotated[str, Strict()]
Int = Annotated[int, Strict()]
JsonObject = dict[str, Any]

_OPEN = ConfigDict(extra="allow")


@with_config(_OPEN)
class AnyObject(TypedDict, total=False):
    """Any JSON object (a list item not checked further)."""


# -- parsed records: frozen models, one canonical name per field --------------------------------
#
# Each is built once, by the client, from the answer as the API spells it: old and new spellings
# of one field (Rev A `influencerId`, Rev B `id`) are resolved here and nowhere else, so readers
# see one attribute. Fields the reconciler does not read are kept (`extra="allow"`) but not
# declared; ids are opaque strings. A field read defensively (`Text`, `Strings`, `Number`) reads
# anything of the wrong type as absent, as the readers did before the records were parsed.


def _text_or_none(value: Any) -> Any:
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> Any:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _number_or_none(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _object_or_none(value: Any) -> Any:
    return value if isinstance(value, dict) else None


Text = Annotated[str | None, BeforeValidator(_text_or_none)]


def _format_name(value: Any) -> Any:
    # Rev B spells formats with hyphens (`slideshow-builder`), Rev A and the file with `_`.
    value = _text_or_none(value)
    return value.replace("-", "_") if isinstance(value, str) else value


# A content format, as the file and Rev A spell it (`video_remix`), whichever revision sent it.
Format = Annotated[str | None, BeforeValidator(_format_name)]
Strings = Annotated[tuple[str, ...], BeforeValidator(_strings)]
Number = Annotated[float | None, BeforeValidator(_number_or_none)]


class Model(BaseModel):
    """A parsed answer: frozen, read by attribute; unknown fields are kept, not checked.

    A status field (`Status`) has a twin `<name>_sent`: the value as the API sent it, for
    messages (the field itself reads a value its vocabulary lacks as "unknown")."""

    model_config = ConfigDict(
        frozen=True, extra="allow", alias_generator=to_camel, populate_by_name=True
    )
    # (status field, its twin, its name in the answer), filled per class below.
    _statuses: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls._statuses = tuple(
            (name[: -len("_sent")], name, fields[name[: -len("_sent")]].alias or name)
            for name in fields
            if name.endswith("_sent") and name[: -len("_sent")] in fields
        )

    def raw(self) -> JsonObject:
        """The answer as JSON again (by the API's names), for a record or a message; an unknown
        status as the API sent it."""
        out = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for name, twin, alias in self._statuses:
            if getattr(self, name) == UNKNOWN and getattr(self, twin) is not None:
                out[alias] = getattr(self, twin)
        return out


def sent(name: str) -> Any:
    """The twin `<field>_sent` of the status field the API names `name`: the value as sent."""
    return Field(default=None, validation_alias=name, exclude=True)


def _id_from(*names: str) -> Callable[[Any], Any]:
    """Fill `id` from the first of `names` holding a non-empty string (Rev A's own names)."""

    def canonical_id(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for name in names:
            found = value.get(name)
            if isinstance(found, str) and found:
                return value if name == "id" else {**value, "id": found}
        raise ValueError("neither " + " nor ".join(f"'{n}'" for n in names) + " is there")

    return canonical_id


def _int_or_none(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool_or_none(value: Any) -> Any:
    return value if isinstance(value, bool) else None


Object = Annotated[JsonObject | None, BeforeValidator(_object_or_none)]


class Project(Model):
    """One project row (`GET /v1/projects/:id`, a list item, a create's or a PATCH's answer).

    `customer_external_id` is on every row (None: unbound). A list item may leave out the
    embedded objects (`metadata`, `approval_policy`, `brand_context`, `ingest_state`): which
    were sent is `model_fields_set`. Besides `metadata` (checked: the tool's record lives
    there), a field of the wrong type reads as absent."""

    id: Annotated[str, Strict()]
    customer_external_id: Annotated[str | None, Strict()]
    name: Annotated[str | None, Strict()] = None
    status: ProjectStatusField = None
    status_sent: Text = sent("status")
    metadata: JsonObject | None = None
    approval_policy: Object = None
    brand_context: Object = None
    ingest_state: Object = None
    requires_approval: Annotated[bool | None, BeforeValidator(_bool_or_none)] = None
    timezone: Text = None
    primary_language: Text = None
    owner_email: Text = None
    first_n_posts_blocked: Annotated[int | None, BeforeValidator(_int_or_none)] = None
    auto_approve_after: Text = None


class Whoami(Model):
    """`GET /v1/whoami`: the key's scopes and rate-limit tier (None: unpaced)."""

    scopes: Strings = ()
    rate_limit_tier: Text = None
    organization_id: Text = None
    # Rev B only (null for a top-level organization); its presence marks Rev B (`apirevision`).
    parent_organization_id: Text = None


class JobError(Model):
    code: Text = None
    message: Text = None


class JobResult(Model):
    """What a finished job made (an ingest: the pull request it opened)."""

    pr_url: Text = None


class Job(Model):
    """A job-starting answer (202) or a poll of `GET /v1/jobs/:id`; `influencer_id` and
    `container_ids` name what a create's job makes."""

    job_id: Annotated[str, Strict()] = Field(alias="jobId")
    status: JobStatusField = None
    status_sent: Text = sent("status")
    progress: Number = None
    stage: Text = None
    container_id: Text = None
    container_ids: Strings = ()
    influencer_id: Text = None
    format: Format = None
    error: Annotated[JobError | None, BeforeValidator(_object_or_none)] = None
    result: Annotated[JobResult | None, BeforeValidator(_object_or_none)] = None

    @model_validator(mode="before")
    @classmethod
    def _job_id(cls, value: Any) -> Any:
        # a poll may name the job `id` (Rev B) instead of `jobId` (Rev A)
        if isinstance(value, dict) and "jobId" not in value and isinstance(value.get("id"), str):
            return {**value, "jobId": value["id"]}
        return value


class Installation(Model):
    """One registered GitHub installation; `login` is the account it is on (Rev A `orgLogin`,
    else `githubAccount.login`); `status` None: registered (the API names no status)."""

    installation_id: Annotated[int, Strict()] | Annotated[str, Strict()]
    login: Text = None
    status: InstallationStatusField = None
    status_sent: Text = sent("status")

    @model_validator(mode="before")
    @classmethod
    def _login(cls, value: Any) -> Any:
        if not isinstance(value, dict) or isinstance(value.get("login"), str):
            return value
        login = value.get("orgLogin")
        account = value.get("githubAccount")
        if not (isinstance(login, str) and login) and isinstance(account, dict):
            login = account.get("login")
        return {**value, "login": login} if isinstance(login, str) and login else value


class InstallationAnswer(Installation):
    """`GET|POST /v1/github/installation`: the latest registration; the emulator also lists
    every registration (`installations`)."""

    installations: list[JsonObject] | None = None
    items: Any = None


class SocialAccount(Model):
    """One connected social account; `id` is Rev A's `socialAccountId` or Rev B's `id`."""

    id: Annotated[str, Strict()]
    platform: Text = None
    status: SocialAccountStatusField = None
    status_sent: Text = sent("status")
    handle: Text = None

    _canonical = model_validator(mode="before")(_id_from("socialAccountId", "id"))


class Influencer(Model):
    """One influencer; `id` is Rev A's `influencerId` or Rev B's `id`."""

    id: Annotated[str, Strict()]
    name: Text = None
    status: InfluencerStatusField = None
    status_sent: Text = sent("status")
    error_message: Text = None

    _canonical = model_validator(mode="before")(_id_from("influencerId", "id"))


class ConsentUrl(Model):
    """An install or OAuth URL to show a person (`GET install-url`, `POST oauth-url|reauth-url`)."""

    authorize_url: Text = None  # also spelled `installUrl` or `authUrl`
    state: Text = None
    expires_at: Text = None

    @model_validator(mode="before")
    @classmethod
    def _url(cls, value: Any) -> Any:
        if not isinstance(value, dict) or _text_or_none(value.get("authorizeUrl")):
            return value
        other = _text_or_none(value.get("installUrl")) or _text_or_none(value.get("authUrl"))
        return {**value, "authorizeUrl": other} if other else value


class OAuthStatus(Model):
    """`GET /v1/projects/:id/social/oauth-status`: pending, completed or failed."""

    status: OAuthStatusField = None
    status_sent: Text = sent("status")
    social_account_id: Text = None


class ScheduleAnswer(Model):
    """`POST /v1/content/:id/schedule`."""

    scheduled_post_ids: Strings = ()
    gate_status: GateStatusField = None
    gate_status_sent: Text = sent("gateStatus")


class ApprovalPolicy(Model):
    """`GET|PATCH /v1/projects/:id/approval-policy`: its fields mirror the file's `approval:`
    (each compared by name), so they are kept as sent."""

    def values(self) -> JsonObject:
        return dict(self.model_extra or {})


class ReviewPolicy(Model):
    """Rev B's `GET|PATCH /v1/projects/:id/content-review-policy` (CONTRACT-revb.md §6.3):
    `auto_approve | review_first_n | review_all`, `firstN` with `review_first_n` only;
    `pendingCount` is read-only. `revb` maps it to and from the file's `approval:`."""

    policy: Text = None  # absent: never set, which Layers answers as auto_approve
    first_n: Number = None
    pending_count: Number = None


class ScheduleIntent(Model):
    """A schedule the API holds back until the container is approved (a post to be)."""

    scheduled_post_id: Text = None
    scheduled_for: Text = None


def _objects(value: Any) -> Any:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class Container(Model):
    """One content container."""

    id: Annotated[str, Strict()]
    status: ContainerStatusField = None
    status_sent: Text = sent("status")
    approval_status: ApprovalStatusField = None
    approval_status_sent: Text = sent("approvalStatus")
    brief: Annotated[JsonObject | None, BeforeValidator(_object_or_none)] = None
    format: Format = None
    job_id: Text = None
    pending_schedule_intents: Annotated[tuple[ScheduleIntent, ...], BeforeValidator(_objects)] = ()
    rejection_reason: Text = None  # also spelled `reason`

    @model_validator(mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        if not isinstance(value, dict) or _text_or_none(value.get("rejectionReason")):
            return value
        other = _text_or_none(value.get("reason"))
        return {**value, "rejectionReason": other} if other else value


class PostError(Model):
    code: Text = None
    message: Text = None


class ScheduledPost(Model):
    """One scheduled post."""

    id: Annotated[str, Strict()]
    status: PostStatusField = None
    status_sent: Text = sent("status")
    container_id: Text = None
    platform: Text = None
    scheduled_for: Text = None
    external_url: Text = None
    last_error: Annotated[PostError | None, BeforeValidator(_object_or_none)] = None
    canceled_at: Text = None
    updated_at: Text = None
    mode: Text = None
    caption_override: Text = None


class Organization(Model):
    """A child organization (Rev B, `GET /v1/organizations[/:id]`, create, patch, suspend,
    resume). `metadata` holds string values; the tool's identity keys live there. `summary`
    (only on a GET of one) carries `creditConfig` and the balance."""

    id: Annotated[str, Strict()]
    name: Text = None
    status: Text = None
    metadata: Object = None
    billing_email: Text = None
    summary: Object = None

    def meta(self, key: str) -> str | None:
        """One metadata value, when it is a string (the API's type; anything else is absent)."""
        value = (self.metadata or {}).get(key)
        return value if isinstance(value, str) else None


class CreditConfig(Model):
    """`GET/PATCH /v1/organizations/:id/credit-config`: the child's cap and auto-refill."""

    config: Object = None


class CreditEvent(Model):
    """A row of a credit ledger (`…/credits/events`): an allocation carries the partner's
    `metadata` (the tool's transfer id) and the parent-side `transferId`."""

    event_type: Text = None
    credits: Number = None
    metadata: Object = None
    transfer_id: Text = None


class Transfer(Model):
    """`POST /v1/organizations/:id/credits/allocate`: the transfer (`txn_…`), `replayed` on a
    repeat of the same key and body."""

    id: Annotated[str, Strict()]
    credits: Number = None
    replayed: Annotated[bool | None, BeforeValidator(_bool_or_none)] = None


class Migration(Model):
    """`POST /v1/organizations/migrate`: which child each moved project went to."""

    projects_moved: Number = None
    children: Annotated[list[JsonObject], BeforeValidator(_objects)] = Field(default_factory=list)


class Archived(Model):
    """`DELETE /v1/organizations/:id`: terminal; the credits swept back to the parent."""

    status: Text = None
    reclaimed_credits: Number = None


class Answer(Model):
    """An answer the reconciler reads nothing of (an approval, a move, a cancel, an archive, an
    approval policy): only checked to be a JSON object."""


@with_config(_OPEN)
class Page(TypedDict, total=False):
    """One page of a cursor-paginated list."""

    items: Required[list[JsonObject]]
    nextCursor: Str | None


class IngestRecord(TypedDict, total=False):
    """What apply recorded of the last ingest it started (docs/design.md)."""

    repo: str
    branch: str | None  # None: the repo's default branch
    platforms: list[str] | None  # None: detected from the repo
    jobId: str
    status: str  # statuses.IngestStatus
    # What apply writes when the job failed: its error code (plan/diff.py reads a dict here and
    # finds no code in it, so it names the code only when the API's ingestState has one).
    error: str | None
    attempt: int


class ContentRecord(TypedDict, total=False):
    """What apply recorded of one content key's generation."""

    containerIds: list[str]
    jobId: str
    jobIds: list[str]
    briefHash: str
    format: str
    variants: int
    status: str
    generation: int
    regenerations: int
    entryIds: dict[str, str]  # post id -> the schedule entry's `id:` in the file
    # Rev B (one call per variant): variant number ("1", "2", …) -> its container, and the job
    # of a variant still generating. `containerIds` lists them in variant order.
    variantIds: dict[str, str]
    variantJobs: dict[str, str]
    variantAttempts: dict[str, int]  # how often a variant was made again after it failed


class ReservedRecord(TypedDict, total=False):
    """The tool's own record, `project.metadata["layersReconcile"]` (docs/design.md)."""

    v: int
    workspace: str
    lastAppliedAt: str
    ingest: IngestRecord
    influencerId: str
    influencerJob: JsonObject  # {"jobId", "influencerId"} while a create runs
    content: dict[str, ContentRecord]
    canceledPosts: list[str]  # bare ids of the posts this tool canceled, newest last
    oauthStates: dict[str, str]  # platform -> the state of the last consent URL shown
    links: dict[str, JsonObject]  # "github" | "social/PLATFORM" -> plan.links.Link.record()
