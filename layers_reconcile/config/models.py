"""Pydantic models of desired state: one customer file and its sections.

A field the user did not write is "not managed": it is absent from `model_fields_set` and from
`model_dump(exclude_unset=True)`, which is what the diff compares. Defaults applied here never
become diffs. `null` is refused except where the API gives it a meaning (clearing a value):
leaving a key out is how one says "not managed". The content entries are `config.content`'s,
the child organization `config.organization`'s, `layers.yaml` is `config.settings`'.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Discriminator, Field, StringConstraints, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from layers_reconcile.config import ignore
from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.fieldtypes import (
    RESERVED_METADATA_KEY,
    Email,
    ExternalId,
    Gender,
    HttpUrl,
    IsoDuration,
    LanguageTag,
    Metadata,
    Platform,
    RepoName,
    ReturnUrl,
    SdkPlatform,
    Slug,
    StrictModel,
    Timezone,
    spelt_id,
)
from layers_reconcile.config.organization import OrganizationSpec

__all__ = [
    "ApprovalSpec",
    "BrandSpec",
    "CustomerSpec",
    "GithubSpec",
    "InfluencerSpec",
    "ProjectSpec",
    "SocialAccountSpec",
]


class ProjectSpec(StrictModel):
    """The Layers project of this customer."""

    name: str = Field(
        min_length=1,
        max_length=128,
        description="Project name shown in Layers.",
        examples=["Quinns Coffee Co"],
    )
    timezone: Timezone | None = Field(
        default=None,
        description="IANA time zone of the project; schedule times without an offset are read "
        "in it. A project created without one gets UTC.",
        examples=["America/Los_Angeles", "Europe/Berlin", "UTC"],
    )
    primaryLanguage: LanguageTag | None = Field(
        default=None,
        description="BCP-47 language tag of the project's content.",
        examples=["en", "de", "pt-BR"],
    )
    ownerEmail: Email | None = Field(
        default=None,
        description="Owner of the project in Layers (the API key's owner when not set).",
        examples=["ops@your-partner.com"],
    )
    metadata: Metadata | None = Field(
        default=None,
        description="Your own keys, round-tripped by the API; the tool keeps its reserved key "
        "'layersReconcile' beside them and never compares it.",
        examples=[{"tier": "gold"}],
        json_schema_extra={"propertyNames": {"not": {"const": RESERVED_METADATA_KEY}}},
    )


class ApprovalSpec(StrictModel):
    """The project's approval policy: which posts wait for an explicit approval."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"firstNPostsBlocked", "autoApproveAfter"}
    )

    requiresApproval: bool | None = Field(
        default=None,
        description="Whether content must be approved before it is published.",
        examples=[True],
    )
    firstNPostsBlocked: int | None = Field(
        default=None,
        ge=0,
        le=50,
        description="How many of the first posts wait for approval (0–50; null clears it).",
        examples=[3],
    )
    autoApproveAfter: IsoDuration | None = Field(
        default=None,
        description="ISO-8601 duration after which pending content approves itself "
        "(null clears it).",
        examples=["PT24H", "P7D"],
    )


class GithubSpec(StrictModel):
    """The GitHub repo ingested for brand context and instrumented by an SDK pull request."""

    installationId: int | None = Field(
        default=None,
        ge=1,
        description="GitHub App installation id on the customer's org, when already installed; "
        "otherwise the tool creates an install URL and waits for the install.",
        examples=[48271993],
    )
    repo: RepoName = Field(
        description="The repository as 'owner/name' (the ingest's repoFullName).",
        examples=["quinns-coffee/quinns-app"],
    )
    branch: Annotated[str, spelt_id("the branch's name")] | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Branch to ingest (the repo's default branch when not set).",
        examples=["main"],
    )
    platforms: list[SdkPlatform] | None = Field(
        default=None,
        description="Platforms the SDK pull request instruments (sdkConfig.includePlatforms); "
        "set them when the repo's stack is not detected.",
        examples=[["ios", "web"]],
    )
    returnUrl: ReturnUrl | None = Field(
        default=None,
        description="Where the GitHub App install lands; used only while no installation is "
        "registered.",
        examples=["https://app.your-partner.com/github/callback"],
    )


class BrandSpec(StrictModel):
    """Brand context overrides, applied on top of what the ingest extracted."""

    appName: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The app's name as it appears in content.",
        examples=["Quinn's Coffee"],
    )
    appDescription: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="What the app does, in a few sentences.",
        examples=["Order-ahead for third-wave coffee shops in the PNW."],
    )
    tagline: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Short line that sums up the brand.",
        examples=["Your cafe, skip the line."],
    )
    audience: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Who the content speaks to.",
        examples=["Urban coffee drinkers 24–40, iPhone-first."],
    )
    icp: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Ideal customer profile.",
        examples=["Commuters, freelancers, students."],
    )
    brandVoice: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="How the brand sounds.",
        examples=["Warm, specific, lightly opinionated about beans."],
    )
    keywords: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = Field(
        default=None,
        description="Keywords that describe the app.",
        examples=[["coffee", "cafe", "order ahead"]],
    )
    primaryLanguage: LanguageTag | None = Field(
        default=None,
        description="BCP-47 language tag of the brand context.",
        examples=["en"],
    )
    logoUrl: HttpUrl | None = Field(
        default=None,
        description="URL of the brand's logo.",
        examples=["https://cdn.your-partner.com/quinn/logo.png"],
    )


class InfluencerSpec(StrictModel):
    """Attributes of an influencer to create when the project has none that is this one.

    Rev A of the API creates it by `name`, which identifies it. Rev B names influencers itself:
    there the attributes become the creation's hints (gender, age range, a visual prompt), and
    the influencer is the one the tool created (recorded in the project) or the one `id` adopts.
    """

    id: Annotated[str, spelt_id("the influencer's id")] | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Adopt this existing influencer (both API revisions) instead of creating one.",
        examples=["inf_7d2c9a40-3b1e-4f55-9b8e-2a61d0c4e911"],
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Name of the influencer; on Rev A of the API it identifies the influencer "
        "in the project (required there unless `id` is given). Rev B generates names and "
        "ignores it.",
        examples=["Lena — Berlin run club captain"],
    )
    gender: Gender | None = Field(
        default=None,
        description="Gender of the influencer.",
        examples=["female"],
    )
    ageRange: str | None = Field(
        default=None,
        min_length=1,
        max_length=16,
        description="Age range, free text.",
        examples=["25-34"],
    )
    ethnicity: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Ethnicity, free text.",
        examples=["Mixed European"],
    )
    bodyType: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Body type, free text.",
        examples=["athletic"],
    )
    hairColor: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Hair colour.",
        examples=["auburn"],
    )
    hairStyle: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Hair style.",
        examples=["high ponytail"],
    )
    style: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="Clothing and visual style.",
        examples=["technical running gear with bright accents"],
    )
    vibe: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="The impression the influencer gives.",
        examples=["energetic, encouraging, no-nonsense"],
    )
    voiceDescription: str | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="How the influencer speaks.",
        examples=["Clear, upbeat, short sentences; German-accented English."],
    )


def _influencer_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "name"
    if isinstance(value, dict | InfluencerSpec):
        return "attributes"
    return None


InfluencerRef = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=128), Tag("name")]
    | Annotated[InfluencerSpec, Tag("attributes")],
    Discriminator(
        _influencer_kind,
        custom_error_type="influencer_type",
        custom_error_message="'influencer' must be a name or id (a string), or a mapping of "
        "attributes to create one",
    ),
]


class SocialAccountSpec(StrictModel):
    """A social account of one platform, connected through OAuth consent."""

    returnUrl: ReturnUrl | None = Field(
        default=None,
        description="Where the OAuth consent lands; needed to connect the account.",
        examples=["https://app.your-partner.com/customers/quinn/social-complete"],
    )


class CustomerSpec(StrictModel):
    """One end-customer: a Layers project and everything that hangs off it."""

    customerExternalId: ExternalId = Field(
        description="Your handle for the customer; the project is found by it.",
        examples=["quinn-coffee-001"],
    )
    project: ProjectSpec = Field(
        description="The customer's Layers project.",
        examples=[{"name": "Quinns Coffee Co", "timezone": "America/Los_Angeles"}],
    )
    approval: ApprovalSpec | None = Field(
        default=None,
        description="Approval policy of the project.",
        examples=[{"requiresApproval": True, "firstNPostsBlocked": 3}],
    )
    github: GithubSpec | None = Field(
        default=None,
        description="Repository ingested for brand context and instrumented by an SDK pull "
        "request.",
        examples=[{"installationId": 48271993, "repo": "quinns-coffee/quinns-app"}],
    )
    brand: BrandSpec | None = Field(
        default=None,
        description="Brand context overrides applied on top of what the ingest extracted.",
        examples=[{"tagline": "Your cafe, skip the line."}],
    )
    influencer: InfluencerRef | None = Field(
        default=None,
        description="The influencer that voices content: a name or id, or a mapping of "
        "attributes to create one.",
        examples=["Maya — PNW cafe regular", {"name": "Lena", "gender": "female"}],
    )
    social: dict[Platform, SocialAccountSpec] | None = Field(
        default=None,
        description="Social accounts to connect, keyed by platform.",
        examples=[{"tiktok": {"returnUrl": "https://app.your-partner.com/social-complete"}}],
    )
    content: dict[Slug, ContentSpec] | None = Field(
        default=None,
        description="Content, keyed by a slug that identifies each piece.",
        examples=[{"launch-hook": {"brief": {"hook": "Your cafe, skip the line."}}}],
    )
    organization: OrganizationSpec | None = Field(
        default=None,
        description="This customer lives in its own child organization (Rev B): created, "
        "funded, capped, suspended and archived from here. Without it the project is flat.",
        examples=[
            {"name": "Acme Coffee", "credits": {"transfers": [{"id": "initial", "credits": 5000}]}}
        ],
    )
    ignore: list[IgnorePath] | None = Field(
        default=None,
        description="Fields people own in the Layers UI, as the plan names them: once the "
        "object exists apply never changes them, and plan shows their drift as ignored. "
        f"Paths: {ignore.WHAT_CAN_BE_IGNORED} (`*` for any key; a leading part such as "
        "`brand` covers every field below it). Listed in defaults and in a file, they add up.",
        examples=[["project.metadata.tier", "brand.tagline", "content.*.brief.hook"]],
    )


def _ignorable(path: str) -> str:
    problem = ignore.path_problem(path)
    if problem is not None:
        raise PydanticCustomError("ignore_path", "ignore: {problem}", {"problem": problem})
    return path


IgnorePath = Annotated[
    str,
    StringConstraints(min_length=1, max_length=300),
    AfterValidator(_ignorable),
    WithJsonSchema({"type": "string", "pattern": ignore.PATH_PATTERN, "minLength": 1}),
]
