"""What a step acts on: one target type per step kind, so mypy checks what each handler reads.

A step's `target` carries the identifiers of the existing resources it acts on and, for a
schedule or reschedule, the values it sends (the same values its `changes` show a reader). Each
kind has its own model with exactly the fields that kind's steps carry; `Step.target` is their
union, chosen by the step's `kind` (`plan.model.Step`), so a saved plan whose target does not fit
its step's kind is refused on load, key by key. A field is required where every step of the kind
has it; one that only some actions of a kind carry (or that is known only after apply) is
optional, said at the field.

Only the fields a target has are written (None is left out), in the order declared here: the
plan JSON keeps the shape a reviewer knows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class StepKind(StrEnum):
    """What an address names; also the order of the stages within one customer."""

    # A customer in a child organization: the child first, then the money it holds.
    ORGANIZATION = "organization"
    TRANSFER = "transfer"
    PROJECT = "project"
    APPROVAL = "approval"
    GITHUB = "github"
    INGEST = "ingest"
    BRAND = "brand"
    INFLUENCER = "influencer"
    SOCIAL = "social"
    CONTENT = "content"
    CONTENT_APPROVAL = "content_approval"
    SCHEDULE = "schedule"


class BaseTarget(BaseModel):
    """The fields every target model shares: none; the rules: frozen, no unknown key (a saved
    plan is validated on load), and only the fields it has are written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    KIND: ClassVar[StepKind]

    @model_serializer(mode="wrap")
    def _only_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class InProject(BaseTarget):
    """A target inside the customer's project: its id, once it exists (None: it is made by an
    earlier step of the same apply, or the step does not need it)."""

    projectId: str | None = None


class OrganizationTarget(InProject):
    KIND = StepKind.ORGANIZATION
    # The child's id: None while it does not exist (create, migrate; the credit config or
    # status of a child made by this apply); an orphan's archive names it and no project.
    organizationId: str | None = None


class TransferTarget(InProject):
    KIND = StepKind.TRANSFER
    organizationId: str | None = None  # None: the child is made by this apply
    transferId: Annotated[str, Field(min_length=1)]
    credits: Annotated[int, Field(gt=0)]  # money: a saved plan cannot make it 0 or negative


class ProjectTarget(InProject):
    KIND = StepKind.PROJECT  # projectId: None for a create


class ApprovalTarget(InProject):
    KIND = StepKind.APPROVAL


class GithubTarget(BaseTarget):
    KIND = StepKind.GITHUB
    installationId: int | None = None  # register: the file's; a wait for an install has none
    org: str  # the GitHub account that owns the repo
    returnUrl: str | None = None


class IngestTarget(InProject):
    KIND = StepKind.INGEST
    jobId: str | None = None  # an ingest still running: apply waits on it


class BrandTarget(InProject):
    KIND = StepKind.BRAND


class InfluencerTarget(InProject):
    KIND = StepKind.INFLUENCER
    # The one found (None: chosen by name once it exists, or created); a Rev B creation has
    # neither (Layers names it).
    influencerId: str | None = None
    name: str | None = None


class SocialTarget(InProject):
    KIND = StepKind.SOCIAL
    platform: str
    returnUrl: str | None = None
    socialAccountId: str | None = None  # an account to re-authorise


class ContentTarget(InProject):
    """A generation (run_job) names its containers; a cancel (content removed) its posts."""

    KIND = StepKind.CONTENT
    containerId: str | None = None  # Rev A's deterministic id of a first generation
    containerIds: list[str] | None = None  # to regenerate, or to watch while they generate
    previousContainerIds: list[str] | None = None  # generated anew: what they replace
    jobId: str | None = None  # a generation still running
    postIds: list[str] | None = None  # cancel: the queued posts of a removed key
    # Rev B: the platform of the account the content speaks through, and the account once
    # connected (the step waits for that consent).
    platform: str | None = None
    socialAccountId: str | None = None


class ContentApprovalTarget(InProject):
    KIND = StepKind.CONTENT_APPROVAL
    containerIds: list[str] | None = None  # None: the containers are made by this apply


class ScheduleTarget(InProject):
    """A schedule names the post to make and what it sends; a reschedule the post and its new
    time; a cancel the post."""

    KIND = StepKind.SCHEDULE
    containerId: str | None = None  # schedule: None until the container exists
    postId: str | None = None  # the deterministic id (None until the project exists)
    platform: str | None = None  # the entry's account (a stray post may name none)
    socialAccountId: str | None = None  # schedule: the connected account, when known
    scheduledFor: str | None = None  # schedule/reschedule: ISO instant, UTC
    mode: str | None = None  # schedule: the publish mode of the new post
    captionOverride: str | None = None


StepTarget = (
    OrganizationTarget
    | TransferTarget
    | ProjectTarget
    | ApprovalTarget
    | GithubTarget
    | IngestTarget
    | BrandTarget
    | InfluencerTarget
    | SocialTarget
    | ContentTarget
    | ContentApprovalTarget
    | ScheduleTarget
)

TARGETS: Final[dict[StepKind, type[StepTarget]]] = {
    t.KIND: t
    for t in (
        OrganizationTarget,
        TransferTarget,
        ProjectTarget,
        ApprovalTarget,
        GithubTarget,
        IngestTarget,
        BrandTarget,
        InfluencerTarget,
        SocialTarget,
        ContentTarget,
        ContentApprovalTarget,
        ScheduleTarget,
    )
}


def project_id_of(target: StepTarget) -> str | None:
    return target.projectId if isinstance(target, InProject) else None


def platform_of(target: StepTarget) -> str | None:
    """The platform a social, content (Rev B) or schedule step names."""
    if isinstance(target, SocialTarget | ContentTarget | ScheduleTarget):
        return target.platform
    return None
