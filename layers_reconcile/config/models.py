"""Pydantic models of desired state: the workspace file and one customer file.

A field the user did not write is "not managed": it is absent from `model_fields_set` and from
`model_dump(exclude_unset=True)`, which is what the diff compares. Defaults applied here never
become diffs. `null` is refused except where the API gives it a meaning (clearing a value):
leaving a key out is how one says "not managed".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from layers_reconcile.apirevision import RevisionSetting
from layers_reconcile.config import ignore
from layers_reconcile.config.fieldtypes import (
    AT_PATTERN,
    MODES_BY_PLATFORM,
    RESERVED_METADATA_KEY,
    ContentFormat,
    Email,
    ExternalId,
    Gender,
    Hint,
    HttpUrl,
    IsoDuration,
    LanguageTag,
    Metadata,
    OrgMetadata,
    Platform,
    PublishMode,
    RepoName,
    ReturnUrl,
    ScheduleTime,
    SdkPlatform,
    ShortText,
    Slug,
    StrictModel,
    Timezone,
    WorkspaceName,
    tidy_json_schema,
)
from layers_reconcile.config.globs import GlobError, compile_glob

__all__ = [
    "AT_PATTERN",
    "MODES_BY_PLATFORM",
    "RESERVED_METADATA_KEY",
    "ApprovalSpec",
    "BrandSpec",
    "BriefSpec",
    "ContentFormat",
    "ContentSpec",
    "CustomerFilesSpec",
    "CustomerSpec",
    "GithubSpec",
    "Hint",
    "InfluencerSpec",
    "OrganizationSpec",
    "Platform",
    "ProjectSpec",
    "PublishMode",
    "ScheduleSpec",
    "SdkPlatform",
    "SocialAccountSpec",
    "SourceSpec",
    "StrictModel",
    "WorkspaceSpec",
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
    branch: str | None = Field(
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

    id: str | None = Field(
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


class BriefSpec(StrictModel):
    """What a piece of content is about."""

    hook: ShortText | None = Field(
        default=None,
        description="Opening line of the content.",
        examples=["Your cafe, skip the line."],
    )
    cta: ShortText | None = Field(
        default=None,
        description="Call to action.",
        examples=["Download Quinns Coffee"],
    )
    topic: ShortText | None = Field(
        default=None,
        description="What the content is about.",
        examples=["Ordering ahead on the way to work"],
    )
    angle: ShortText | None = Field(
        default=None,
        description="The angle the content takes on the topic.",
        examples=["Time saved every morning"],
    )
    valuePropositions: list[ShortText] | None = Field(
        default=None,
        description="Benefits the content should convey.",
        examples=[["No queue", "Your usual, remembered"]],
    )
    targetPlatforms: list[Platform] | None = Field(
        default=None,
        description="Platforms the content is made for.",
        examples=[["tiktok", "instagram"]],
    )
    themeTags: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = Field(
        default=None,
        description="Themes to lean on.",
        examples=[["morning routine", "coffee"]],
    )
    language: LanguageTag | None = Field(
        default=None,
        description="BCP-47 language of the content (the project's when not set).",
        examples=["en"],
    )


def _modes_by_platform_schema(schema: dict[str, Any], cls: type[Any]) -> None:
    tidy_json_schema(schema, cls)
    schema["allOf"] = [
        {
            "if": {"properties": {"account": {"const": platform}}, "required": ["account"]},
            "then": {"properties": {"mode": {"enum": list(modes)}}},
        }
        for platform, modes in MODES_BY_PLATFORM.items()
    ]


class ScheduleSpec(StrictModel):
    """One post of one variant to one connected account, at one time."""

    model_config = ConfigDict(json_schema_extra=_modes_by_platform_schema)

    account: Platform = Field(
        description="Platform of an account connected under `social`.",
        examples=["tiktok"],
    )
    mode: PublishMode = Field(
        description="How to publish: TikTok direct_publish or draft_to_device; Instagram reels, "
        "feed or draft_to_device; managed (Rev B of the API only). On Rev B direct_publish, "
        "reels and feed publish, draft_to_device drafts.",
        examples=["direct_publish"],
    )
    at: ScheduleTime = Field(
        description="ISO-8601 time of the post; without an offset it is read in "
        "project.timezone (DST-correct).",
        examples=["2027-03-01T22:00:00Z", "2027-04-06T07:30:00"],
    )
    variant: int = Field(
        default=1,
        ge=1,
        le=5,
        description="Which of the content's `variants` to post (1-based).",
        examples=[1],
    )
    id: Slug | None = Field(
        default=None,
        description="Names the entry; required when two entries post the same variant to the "
        "same account.",
        examples=["morning-slot"],
    )
    captionOverride: str | None = Field(
        default=None,
        min_length=1,
        max_length=2200,
        description="Caption to post instead of the generated one.",
        examples=["Skip the line tomorrow morning ☕"],
    )
    restore: bool | None = Field(
        default=None,
        description="Post the entry again when someone canceled its post outside this workspace "
        "(in the Layers UI or by the API). Without it such a post stays canceled and plan shows "
        "it; a post this tool canceled (the entry was removed, then put back) comes back anyway.",
        examples=[True],
    )

    @field_validator("at", mode="before")
    @classmethod
    def _datetime_as_text(cls, value: Any) -> Any:
        # YAML's safe loaders turn unquoted times into datetimes; keep what they denote.
        return value.isoformat() if isinstance(value, datetime) else value


def _brief_unless_pinned(schema: dict[str, Any], cls: type[Any]) -> None:
    tidy_json_schema(schema, cls)
    schema["anyOf"] = [
        {"required": ["brief"]},
        {"required": ["format"], "properties": {"format": {"not": {"const": "auto"}}}},
    ]


class SourceSpec(StrictModel):
    """The post a remix starts from."""

    tiktokVideoId: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="Id of the TikTok post to remix (a slideshow for slideshow_remix), e.g. from "
        "Layers' source recommendations.",
        examples=["7300000000000000000"],
    )


class ContentSpec(StrictModel):
    """One piece of content: generated from a brief, approved, then scheduled.

    The same entry converges on both API revisions (`config.generation` maps it to each one's
    request): Rev A takes the format, the variants and the whole brief in one call; Rev B one
    route per format, one call per variant, the hook, the source post and who speaks.
    """

    model_config = ConfigDict(json_schema_extra=_brief_unless_pinned)

    format: ContentFormat = Field(
        default="auto",
        description="auto lets Layers pick (Rev A only); pin a format for determinism. "
        "slideshow_builder is Rev B only.",
        examples=["auto", "slideshow_remix"],
    )
    variants: int = Field(
        default=1,
        ge=1,
        le=5,
        description="How many variants to generate (1–5): one call on Rev A, one call (and "
        "container) each on Rev B.",
        examples=[1, 2],
    )
    brief: BriefSpec = Field(
        default_factory=BriefSpec,
        description="What the content is about. Rev B takes only the hook (slideshow_builder "
        "needs it; ugc_remix takes it; the two other remixes do not).",
        examples=[{"hook": "Your cafe, skip the line.", "cta": "Download Quinns Coffee"}],
    )
    source: SourceSpec | None = Field(
        default=None,
        description="The post a remix starts from (Rev B: required for slideshow_remix and "
        "video_remix; Rev A does not take it).",
        examples=[{"tiktokVideoId": "7300000000000000000"}],
    )
    media: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="Id of the app-demo media ugc_remix uses (Rev B; default: the project's "
        "first app-demo media).",
        examples=["med_01H9ZX9FR"],
    )
    account: Platform | None = Field(
        default=None,
        description="Speak through the social account of this platform (connected under "
        "`social`) instead of the customer's influencer (Rev B).",
        examples=["tiktok"],
    )
    approve: bool | None = Field(
        default=None,
        description="true: approve the generated content (the merged pull request is the "
        "approval).",
        examples=[True],
    )
    schedule: list[ScheduleSpec] = Field(
        default_factory=list,
        description="Posts of this content.",
        examples=[[{"account": "tiktok", "mode": "direct_publish", "at": "2027-03-01T22:00:00Z"}]],
    )

    @model_validator(mode="before")
    @classmethod
    def _brief_for_auto(cls, data: Any) -> Any:
        # `auto` lets Layers pick from the brief: it is required there (and only there: a
        # remix on Rev B starts from its source post, a builder from the hook alone).
        if isinstance(data, dict) and "brief" not in data and data.get("format", "auto") == "auto":
            raise ValidationError.from_exception_data(
                cls.__name__, [InitErrorDetails(type="missing", loc=("brief",), input=data)]
            )
        return data


class AutoRefillSpec(StrictModel):
    """Top the child's wallet up from the parent when it runs low."""

    threshold: int = Field(
        ge=0,
        description="A refill fires when the child's available credits drop below this.",
        examples=[1000],
    )
    amount: int = Field(
        gt=0,
        description="Credits moved from the parent per refill.",
        examples=[2000],
    )


class TransferSpec(StrictModel):
    """Credits moved from the parent to the child once, ever (its `id` says which once)."""

    id: Slug = Field(
        description="Names the transfer for good: an id carried out is never carried out again, "
        "even when the entry is removed or edited.",
        examples=["initial"],
    )
    credits: int = Field(gt=0, description="Credits to move (> 0).", examples=[5000])
    description: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Recorded on both ledgers.",
        examples=["onboarding"],
    )


class OrgCreditsSpec(StrictModel):
    """The child's wallet: its spending cap, auto-refill and transfers from the parent."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"monthlyCap", "autoRefill"})

    monthlyCap: int | None = Field(
        default=None,
        ge=0,
        description="Credits the child may spend in a calendar month (null removes the cap).",
        examples=[5000],
    )
    autoRefill: AutoRefillSpec | None = Field(
        default=None,
        description="Refill from the parent: threshold and amount, both (null: no refill).",
        examples=[{"threshold": 1000, "amount": 2000}],
    )
    transfers: list[TransferSpec] | None = Field(
        default=None,
        description="Each entry moves credits from the parent exactly once, ever.",
        examples=[[{"id": "initial", "credits": 5000, "description": "onboarding"}]],
    )


class OrganizationSpec(StrictModel):
    """This customer lives in a child organization of its own (API Rev B, `org:admin`)."""

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The child organization's name (default: project.name).",
        examples=["Acme Coffee"],
    )
    billingEmail: Email | None = Field(
        default=None,
        description="Informational billing contact of the child.",
        examples=["billing@acme.example"],
    )
    metadata: OrgMetadata | None = Field(
        default=None,
        description="Your keys (strings; key ≤ 40, value ≤ 500, ≤ 46 keys); the tool keeps "
        "'externalId' and three 'layersReconcile…' keys beside them.",
        examples=[{"plan": "pro"}],
    )
    credits: OrgCreditsSpec | None = Field(
        default=None,
        description="Spending cap, auto-refill and transfers from the parent.",
        examples=[{"monthlyCap": 5000, "transfers": [{"id": "initial", "credits": 5000}]}],
    )
    suspended: bool | None = Field(
        default=None,
        description="true: the kill switch (the child's own keys stop); false: resume it.",
        examples=[False],
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


DEFAULT_CUSTOMER_GLOBS = ("customers/**/*.yaml", "customers/**/*.yml")


def _readable_glob(pattern: str) -> str:
    try:
        compile_glob(pattern)
    except GlobError as exc:
        raise PydanticCustomError("bad_glob", str(exc)) from None
    return pattern


GlobPattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^/].*$"),
    AfterValidator(_readable_glob),
]


class CustomerFilesSpec(StrictModel):
    """Which files below the workspace root are customer files (globs relative to the root)."""

    include: list[GlobPattern] | None = Field(
        default=None,
        min_length=1,
        description="Globs of customer files, relative to the folder of layers.yaml; `**` "
        "matches any folders. Default: customers/**/*.yaml and customers/**/*.yml.",
        examples=[["customers/**/*.yaml", "clients/*.yml"]],
    )
    exclude: list[GlobPattern] | None = Field(
        default=None,
        description="Globs of files to leave out even when `include` matches them.",
        examples=[["customers/archive/**"]],
    )

    @field_validator("include", "exclude")
    @classmethod
    def _inside_the_workspace(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            if ".." in pattern.split("/"):
                raise ValueError(f"{pattern!r} leaves the workspace folder: drop the '..'")
        return value

    @property
    def include_globs(self) -> tuple[str, ...]:
        return tuple(self.include) if self.include else DEFAULT_CUSTOMER_GLOBS

    @property
    def exclude_globs(self) -> tuple[str, ...]:
        return tuple(self.exclude or ())


class WorkspaceSpec(StrictModel):
    """Workspace settings (`layers.yaml`); every key is optional."""

    workspace: WorkspaceName | None = Field(
        default=None,
        description="Name stamped on every project this workspace manages; only projects "
        "stamped with it are ever archived.",
        examples=["acme-agency-prod"],
    )
    apiUrl: HttpUrl | None = Field(
        default=None,
        description="Base URL of the Layers API; LAYERS_API_URL and --api-url override it.",
        examples=["https://api.layers.com"],
    )
    parallelism: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="How many customers are reconciled at once.",
        examples=[8],
    )
    apiRevision: RevisionSetting | None = Field(
        default=None,
        description="Which revision of the Layers API to speak: a (the onboarding guide's), b "
        "(today's docs: per-format content, the review policy) or auto (the default: read from "
        "the whoami every run makes). A pinned revision the API does not speak is an error "
        "before any write; --api-revision overrides it.",
        examples=["auto", "b"],
    )
    customers: CustomerFilesSpec | None = Field(
        default=None,
        description="Which files are customer files (default: customers/**/*.yaml|yml).",
        examples=[{"include": ["customers/**/*.yaml"], "exclude": ["customers/drafts/**"]}],
    )
    defaults: dict[str, Any] | None = Field(
        default=None,
        description="Merged under every customer file (the customer's values win): fills in "
        "fields of the sections a customer has (project and approval: every customer) and never "
        "adds a section; each social.PLATFORM and content.KEY is a section of its own.",
        examples=[{"project": {"timezone": "America/Los_Angeles", "primaryLanguage": "en"}}],
    )
