"""Every request body the emulator accepts, as a pydantic model (also its OpenAPI schemas).

Validators that need the world read the validation context, a dict with `emu` and, per route,
`project`, `container` or `now`. Without a context (schema generation) they are not run.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)
from pydantic import model_validator as model_check

from layers_reconcile.emulator import lookups, posts, world
from layers_reconcile.emulator.common import (
    DURATION,
    canonical,
    parse_duration,
    parse_instant,
    parse_uuid,
)
from layers_reconcile.emulator.fields import (
    AgeRange,
    AnyId,
    BrandVoice,
    Email,
    ExternalId,
    Format,
    Gender,
    GenderB,
    Hook,
    Instant,
    Lang,
    Metadata,
    Mode,
    ModeB,
    Name,
    NonEmpty,
    Platform,
    SdkPlatform,
    ShortName,
    TargetGender,
    Text16,
    Text64,
    Text128,
    Text256,
    Text500,
    Text1024,
    Text2000,
    Text2200,
    Text4000,
    Timezone,
    Url,
    context_of,
    text,
    uuid_of,
)
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict, fail


def _at_least_one(model: Body, fields: str = "") -> None:
    if not model.model_fields_set:
        what = f"one of {fields}" if fields else "field"
        raise fail(f"at least one {what} is required")


# --- projects -------------------------------------------------------------------------------


class CreateProject(Body):
    id: AnyId = None
    name: Name
    customerExternalId: ExternalId | None = None
    timezone: Timezone
    primaryLanguage: Maybe[Lang] = None
    ownerEmail: Email | None = None
    metadata: Metadata = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: Any) -> str | None:
        return uuid_of(value, "prj")


class BrandContext(Strict):
    appName: Text2000 | None = None
    appDescription: Text2000 | None = None
    tagline: Text2000 | None = None
    audience: Text2000 | None = None
    icp: Text2000 | None = None
    brandVoice: Text2000 | None = None
    keywords: Annotated[list[StrictStr], Between(0, 50)] | None = None
    primaryLanguage: Text2000 | None = None
    logoUrl: Text2000 | None = None


_READ_ONLY = (
    "id",
    "organizationId",
    "createdAt",
    "updatedAt",
    "archivedAt",
    "ingestState",
    "currentBlockedCount",
    "layers",
    "brand",
)
_APPROVAL = ("requiresApproval", "firstNPostsBlocked", "autoApproveAfter", "approvalPolicy")


class PatchProject(Strict):
    extra_messages: ClassVar[dict[str, str]] = {
        **dict.fromkeys(_READ_ONLY, "is read-only"),
        **dict.fromkeys(_APPROVAL, "is changed with PATCH /v1/projects/:projectId/approval-policy"),
    }
    name: Maybe[Name] = None
    status: Maybe[Literal["active", "archived"]] = None
    ownerEmail: Email | None = None
    timezone: Maybe[Timezone] = None
    primaryLanguage: Maybe[Lang] = None
    customerExternalId: ExternalId | None = None
    metadata: Metadata = None
    brandContext: BrandContext | None = None

    @model_check(mode="after")
    def _some(self) -> PatchProject:
        _at_least_one(self)
        return self


class PatchPolicy(Strict):
    requiresApproval: Maybe[StrictBool] = None
    firstNPostsBlocked: Annotated[StrictInt, Between(0, 50)] | None = None
    autoApproveAfter: (
        Annotated[StrictStr, Field(json_schema_extra={"pattern": DURATION.pattern})] | None
    ) = None

    @field_validator("autoApproveAfter")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and parse_duration(value) is None:
            raise fail("must be an ISO-8601 duration such as PT24H, P7D or PT30M")
        return value

    @model_check(mode="after")
    def _some(self) -> PatchPolicy:
        _at_least_one(self, "requiresApproval, firstNPostsBlocked, autoApproveAfter")
        return self


# --- content --------------------------------------------------------------------------------


def project_influencer(value: Any, info: ValidationInfo) -> Any:
    """An `influencerId` in a body names a live influencer of the request's project."""
    ctx = context_of(info)
    if value is None or ctx is None:
        return value
    ident = parse_uuid(value, "inf")
    doc = ctx["emu"].store.get("influencer", ident) if ident else None
    if doc is None or doc["projectId"] != ctx["project"]["id"] or doc["status"] == "deleted":
        raise fail("is not an influencer of this project")
    return value


class Brief(Body):
    """A content brief; fields it does not know are kept (they are the partner's)."""

    model_config = ConfigDict(strict=True, extra="allow")
    hook: Maybe[Text2000] = None
    cta: Maybe[Text500] = None
    topic: Maybe[Text500] = None
    angle: Maybe[Text500] = None
    valuePropositions: Maybe[Annotated[list[Text500], Between(0, 20)]] = None
    targetPlatforms: Maybe[Annotated[list[Platform], Between(1, 2)]] = None
    themeTags: Maybe[Annotated[list[Text64], Between(0, 20)]] = None
    referenceMediaIds: Maybe[Annotated[list[StrictStr], Between(0, 20)]] = None
    language: Maybe[Lang] = None
    influencerId: AnyId = None

    @field_validator("influencerId")
    @classmethod
    def _influencer(cls, value: Any, info: ValidationInfo) -> Any:
        return project_influencer(value, info)


class Generate(Body):
    id: AnyId = None
    projectLayerId: Maybe[Annotated[StrictStr, text(0, 100)]] = None
    format: Maybe[Format] = None
    variantCount: Maybe[Annotated[StrictInt, Between(1, 5)]] = None
    brief: Brief

    @field_validator("id")
    @classmethod
    def _id(cls, value: Any) -> str | None:
        return uuid_of(value, "cnt")

    @field_validator("projectLayerId")
    @classmethod
    def _layer(cls, value: str | None, info: ValidationInfo) -> str | None:
        ctx = context_of(info)
        if value is None or ctx is None:
            return value
        layers = [x["projectLayerId"] for x in ctx["project"]["layers"] if x["kind"] == "content"]
        if value not in layers:
            raise fail("is not a content layer of this project")
        return value


class References(Body):
    sourcePostIds: Maybe[Annotated[list[StrictStr], Between(0, 20)]] = None
    assetIds: Maybe[Annotated[list[StrictStr], Between(0, 20)]] = None


class Regenerate(Body):
    brief: Maybe[dict[str, Any]] = None
    references: Maybe[References] = None
    preserveAssets: Maybe[StrictBool] = None


class Approve(Body):
    note: Maybe[Text1024] = None


class Reject(Body):
    reason: Annotated[StrictStr, text(1, 1024)]
    regenerateBrief: Maybe[dict[str, Any]] = None


class Reason(Body):
    reason: Maybe[Text1024] = None


# --- influencers ----------------------------------------------------------------------------


class CreateInfluencer(Body):
    name: Name
    influencerId: AnyId = None
    gender: Maybe[Gender] = None
    ageRange: Maybe[Text16] = None
    ethnicity: Maybe[Text128] = None
    bodyType: Maybe[Text128] = None
    hairColor: Maybe[Text64] = None
    hairStyle: Maybe[Text128] = None
    style: Maybe[Text256] = None
    vibe: Maybe[Text256] = None
    voiceDescription: Maybe[Text1024] = None
    brandVoice: Maybe[Text1024] = None
    language: Maybe[Annotated[StrictStr, text(0, 35)]] = None
    personality: Maybe[dict[str, Any]] = None
    referenceImages: Maybe[ReferenceImages] = None

    @field_validator("influencerId")
    @classmethod
    def _id(cls, value: Any) -> str | None:
        return uuid_of(value, "inf")


class ReferenceImages(Body):
    assetIds: Maybe[Annotated[list[StrictStr], Between(1, 20)]] = None


class PatchInfluencer(Strict):
    name: Maybe[Name] = None
    gender: Gender | None = None
    ageRange: Text16 | None = None
    ethnicity: Text128 | None = None
    bodyType: Text128 | None = None
    hairColor: Text64 | None = None
    hairStyle: Text128 | None = None
    style: Text256 | None = None
    vibe: Text256 | None = None
    voiceDescription: Text1024 | None = None
    brandVoice: Text1024 | None = None
    language: Annotated[StrictStr, text(0, 35)] | None = None
    personality: dict[str, Any] | None = None

    @model_check(mode="after")
    def _some(self) -> PatchInfluencer:
        _at_least_one(self)
        return self


PERSONA = tuple(k for k in PatchInfluencer.model_fields if k != "name")


# --- social ---------------------------------------------------------------------------------


Scopes = Maybe[Annotated[list[Text64], Between(0, 32)]]


class OAuthUrl(Body):
    platform: Platform
    returnUrl: Url
    scopes: Scopes = None
    usageNote: Maybe[Text1024] = None


class ReauthUrl(Strict):
    socialAccountId: NonEmpty
    returnUrl: Url
    scopes: Scopes = None

    @field_validator("socialAccountId")
    @classmethod
    def _account(cls, value: str, info: ValidationInfo) -> str:
        ctx = context_of(info)
        if ctx is not None and lookups.connected_account(ctx, value) is None:
            raise fail("is not a connected or reauth_required account of this project")
        return value


# --- publishing -----------------------------------------------------------------------------


class Target(Body):
    socialAccountId: NonEmpty
    mode: Mode
    scheduledPostId: AnyId = None
    captionOverride: Text2200 | None = None
    firstCommentOverride: Text2200 | None = None

    @field_validator("socialAccountId")
    @classmethod
    def _account(cls, value: str, info: ValidationInfo) -> str:
        ctx = context_of(info)
        if ctx is None:
            return value
        account = lookups.target_account(ctx, value)
        if account is None:
            raise fail("is not a social account of this project")
        if account["status"] != "connected":
            raise fail(f"is {account['status']}; reconnect it first")
        return value

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str, info: ValidationInfo) -> str:
        ctx, raw = context_of(info), info.data.get("socialAccountId")
        account = lookups.target_account(ctx, raw) if ctx is not None and raw else None
        # Rev A's modes depend on the platform; Rev B's (publish, draft, managed) do not
        rev_a = value in posts.ALL_MODES
        if account is not None and rev_a and value not in posts.MODES[account["platform"]]:
            modes = ", ".join(posts.MODES[account["platform"]])
            raise fail(f"must be one of {modes} on {account['platform']}")
        return value

    @field_validator("scheduledPostId")
    @classmethod
    def _id(cls, value: Any) -> str | None:
        return uuid_of(value, "sp")


Targets = Annotated[list[Target], Between(1, 50)]


class Publish(Body):
    targets: Targets


class Schedule(Body):
    scheduledFor: Instant
    targets: Targets


RESCHEDULE_LEAD = 30.0


class Reschedule(Body):
    scheduledFor: Instant

    @field_validator("scheduledFor")
    @classmethod
    def _lead(cls, value: str, info: ValidationInfo) -> str:
        ctx = context_of(info)
        when = parse_instant(value)
        if ctx is not None and when is not None and when < ctx["now"] + RESCHEDULE_LEAD:
            raise fail("must be at least 30 seconds in the future")
        return value


# --- github and the emulator's own routes ---------------------------------------------------


class RegisterInstallation(Strict):
    installationId: Annotated[StrictInt, Between(1)]
    state: Annotated[StrictStr, text(1, 200)]


def _repo(value: str) -> str:
    if world.split_repo(value) is None:
        raise fail("must be owner/name")
    return value


class SdkConfig(Body):
    appName: Maybe[Text128] = None
    includePlatforms: Maybe[Annotated[list[SdkPlatform], Between(0, 6)]] = None
    eventAllowlist: Maybe[Annotated[list[StrictStr], Between(0, 500)]] = None


class Ingest(Body):
    repoFullName: Annotated[StrictStr, text(3, 200), AfterValidator(_repo)]
    branch: Maybe[Annotated[StrictStr, text(1, 255)]] = None
    openPR: Maybe[StrictBool] = None
    platforms: Maybe[Annotated[list[SdkPlatform], Between(0, 6)]] = None
    sdkConfig: Maybe[SdkConfig] = None
    prTitle: Maybe[Text256] = None
    prBody: Maybe[Annotated[StrictStr, text(0, 65_536)]] = None


class CreateKey(Strict):
    scopes: Maybe[Annotated[list[Text64], Between(0, 64)]] = None
    allowedReturnDomains: Maybe[
        Annotated[list[Annotated[StrictStr, text(0, 253)]], Between(0, 64)]
    ] = None
    name: Maybe[Text128] = None


# --- Rev B (CONTRACT-revb.md §6, §11; layers/mcp-server's request schemas) ------------------

_READ_ONLY_B = {**dict.fromkeys(_READ_ONLY, "is read-only"), "id": "is read-only"}
_POLICY_B = "is changed with PATCH /v1/projects/:projectId/content-review-policy"


class CreateProjectB(Body):
    name: ShortName
    timezone: Timezone
    customerExternalId: ExternalId | None = None
    ownerEmail: Email | None = None
    primaryLanguage: Maybe[Lang] = None
    appName: Maybe[ShortName] = None
    appDescription: Maybe[Annotated[StrictStr, text(100, 1000)]] = None
    tagline: Maybe[Annotated[StrictStr, text(0, 80)]] = None
    brandVoice: Maybe[BrandVoice] = None
    targetGender: Maybe[TargetGender] = None
    metadata: Metadata = None


BRAND_FIELDS_B = ("appName", "appDescription", "tagline", "brandVoice")


class PatchProjectB(Strict):
    extra_messages: ClassVar[dict[str, str]] = {
        **_READ_ONLY_B,
        **dict.fromkeys(_APPROVAL, _POLICY_B),
        "brandContext": "is not a Rev B field: send appName, appDescription, tagline, brandVoice",
    }
    name: Maybe[ShortName] = None
    status: Maybe[Literal["active", "archived"]] = None
    ownerEmail: Email | None = None
    timezone: Maybe[Timezone] = None
    primaryLanguage: Maybe[Lang] = None
    customerExternalId: ExternalId | None = None
    appName: Maybe[ShortName] = None
    appDescription: Maybe[Annotated[StrictStr, text(100, 1000)]] = None
    tagline: Maybe[Annotated[StrictStr, text(0, 80)]] = None
    brandVoice: Maybe[BrandVoice] = None
    targetGender: Maybe[TargetGender] = None
    metadata: Metadata = None

    @model_check(mode="after")
    def _some(self) -> PatchProjectB:
        _at_least_one(self)
        return self


class ReviewPolicy(Strict):
    policy: Literal["auto_approve", "review_first_n", "review_all"]
    firstN: Maybe[Annotated[StrictInt, Between(1, 50)]] = None

    @model_check(mode="after")
    def _first_n(self) -> ReviewPolicy:
        if self.policy == "review_first_n" and self.firstN is None:
            raise fail("firstN (1-50) is required when policy is review_first_n")
        if self.policy != "review_first_n" and self.firstN is not None:
            raise fail(f"firstN is only taken with policy review_first_n, not {self.policy}")
        return self


class Actor(Body):
    """Who speaks in the content: a connected account (its wired influencer) or an influencer."""

    needs_actor: ClassVar[bool] = True
    socialAccountId: Maybe[NonEmpty] = None
    influencerId: Maybe[NonEmpty] = None

    @field_validator("socialAccountId")
    @classmethod
    def _account(cls, value: str | None, info: ValidationInfo) -> str | None:
        ctx = context_of(info)
        if value is not None and ctx is not None and lookups.connected_account(ctx, value) is None:
            raise fail("is not a connected social account of this project")
        return value

    @field_validator("influencerId")
    @classmethod
    def _influencer(cls, value: Any, info: ValidationInfo) -> Any:
        return project_influencer(value, info)

    @model_check(mode="after")
    def _actor(self) -> Actor:
        if self.needs_actor and self.socialAccountId is None and self.influencerId is None:
            raise fail("one of socialAccountId or influencerId is required")
        return self


class SlideshowBuilder(Actor):
    needs_actor: ClassVar[bool] = False
    hook: Hook


class Remix(Actor):
    """slideshow-remix and video-remix: the TikTok post the remix starts from."""

    tiktokVideoId: Annotated[StrictStr, text(1, 64)]


class UgcRemix(Actor):
    hook: Maybe[Hook] = None
    mediaId: Maybe[NonEmpty] = None


class RejectB(Body):
    reason: Annotated[StrictStr, text(1, 1024)]


class CreateInfluencerB(Strict):
    extra_messages: ClassVar[dict[str, str]] = {
        "name": "is generated by Layers: read it back with GET /v1/influencers/:influencerId",
    }
    gender: Maybe[GenderB] = None
    ageRange: Maybe[AgeRange] = None
    prompt: Maybe[Annotated[StrictStr, text(1, 60)]] = None


class TargetB(Target):
    mode: ModeB  # type: ignore[assignment]
    captionOverride: Text4000 | None = None
    firstCommentOverride: Text4000 | None = None


TargetsB = Annotated[list[TargetB], Between(1, 50)]


class PublishB(Body):
    targets: TargetsB


class ScheduleB(Body):
    scheduledFor: Instant
    targets: TargetsB


class PatchInfluencerB(Strict):
    name: Maybe[Name] = None
    gender: Maybe[GenderB] = None
    ageRange: AgeRange | None = None
    brandVoice: Maybe[BrandVoice] = None
    language: Maybe[Annotated[StrictStr, text(2, 35)]] = None

    @model_check(mode="after")
    def _some(self) -> PatchInfluencerB:
        _at_least_one(self)
        return self


# --- organizations (Rev B, CONTRACT-revb.md §2) -----------------------------------------------

PARTNER_METADATA_KEYS = 50
PARTNER_METADATA_LIMIT = 16 * 1024
MAX_CREDITS = 2**53 - 1  # inferred: JSON's safe integers


def _partner_metadata(value: Any, *, unset: bool) -> Any:
    """Stripe-shaped metadata: string → string, key ≤ 40, value ≤ 500, ≤ 50 keys, 16 KB."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail("must be an object of strings")
    if len(value) > PARTNER_METADATA_KEYS:
        raise fail(f"must have at most {PARTNER_METADATA_KEYS} keys")
    for key, item in value.items():
        if not 1 <= len(key) <= 40:
            raise fail(f"key {key[:40]!r}: keys must be 1-40 characters")
        if not isinstance(item, str):
            hint = ' ("" unsets one key; metadata: null clears them all)' if unset else ""
            raise fail(f"key {key!r}: values must be strings{hint}")
        if len(item) > 500:
            raise fail(f"key {key!r}: values must be at most 500 characters")
    if len(canonical(value).encode()) > PARTNER_METADATA_LIMIT:
        raise fail("must be at most 16 KB")
    return value


def _set_metadata(value: Any) -> Any:
    return _partner_metadata(value, unset=False)


def _merge_metadata(value: Any) -> Any:
    return _partner_metadata(value, unset=True)


PartnerMetadata = Annotated[
    dict[str, Any] | None,
    AfterValidator(_set_metadata),
    Field(json_schema_extra={"additionalProperties": {"type": "string", "maxLength": 500}}),
]
MetadataPatch = Annotated[
    dict[str, Any] | None,
    AfterValidator(_merge_metadata),
    Field(json_schema_extra={"additionalProperties": {"type": "string", "maxLength": 500}}),
]
Credits = Annotated[StrictInt, Between(1, MAX_CREDITS)]
Amount = Annotated[StrictInt, Between(0, MAX_CREDITS)]


class CreateOrganization(Body):
    name: Name
    metadata: PartnerMetadata = None
    billingEmail: Email | None = None


class PatchOrganization(Body):
    name: Maybe[Name] = None
    metadata: MetadataPatch = None  # merged per key; "" unsets a key, null clears them all
    billingEmail: Email | None = None


class MigrateProjects(Body):
    mapping: dict[str, Name]

    @field_validator("mapping", mode="after")
    @classmethod
    def _project_ids(cls, value: dict[str, str]) -> dict[str, str]:
        if not 1 <= len(value) <= 500:
            raise fail("must map 1-500 projects (projectId → child organization name)")
        for raw in value:
            if parse_uuid(raw, "prj") is None:
                raise fail(f"key {raw[:60]!r} must be a project id (prj_<uuid> or <uuid>)")
        return value


class AllocateCredits(Body):
    credits: Credits
    description: Text500 | None = None
    metadata: PartnerMetadata = None


class PatchCreditConfig(Body):
    """Numbers set, null clears, omitted stays (the pairing rule is checked after the merge)."""

    monthlyCreditCap: Amount | None = None
    refillThreshold: Amount | None = None
    refillAmount: Credits | None = None


class MintChildKey(Body):
    name: Annotated[StrictStr, text(1, 120)]
    scopes: Annotated[list[Annotated[StrictStr, text(1, 64)]], Between(1, 64)]
    env: Literal["live", "test"] | None = None
