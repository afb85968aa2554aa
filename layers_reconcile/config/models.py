"""Pydantic models of desired state: the workspace file and one customer file.

A field the user did not write is "not managed": it is absent from `model_fields_set` and from
`model_dump(exclude_unset=True)`, which is what the diff compares. Defaults applied here never
become diffs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Platform = Literal["tiktok", "instagram"]
SdkPlatform = Literal["ios", "android", "web", "react-native", "flutter", "expo"]
ContentFormat = Literal["auto", "video_remix", "slideshow_remix", "ugc_remix"]
PublishMode = Literal["direct_publish", "draft_to_device", "reels", "feed"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=False)


class ProjectSpec(StrictModel):
    name: str = Field(min_length=1, max_length=128, description="Project name shown in Layers.")
    timezone: str | None = Field(default=None, description="IANA time zone; UTC when never set.")
    primaryLanguage: str | None = Field(default=None, description="BCP-47 language tag.")
    ownerEmail: str | None = None
    metadata: dict[str, Any] | None = Field(
        default=None, description="Your own keys; the tool keeps its reserved key beside them."
    )


class ApprovalSpec(StrictModel):
    requiresApproval: bool | None = None
    firstNPostsBlocked: int | None = Field(default=None, ge=0, le=50)
    autoApproveAfter: str | None = Field(default=None, description="ISO-8601 duration, e.g. PT24H.")


class GithubSpec(StrictModel):
    installationId: int | None = Field(default=None, description="GitHub App installation id.")
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/name")
    branch: str | None = None
    platforms: list[SdkPlatform] | None = Field(
        default=None, description="sdkConfig.includePlatforms of the ingest."
    )
    returnUrl: str | None = Field(
        default=None, description="Used only while the installation is not registered."
    )


class BrandSpec(StrictModel):
    appName: str | None = None
    appDescription: str | None = None
    tagline: str | None = None
    audience: str | None = None
    icp: str | None = None
    brandVoice: str | None = None
    keywords: list[str] | None = None
    primaryLanguage: str | None = None
    logoUrl: str | None = None


class InfluencerSpec(StrictModel):
    """Attributes of an influencer to create (by name) when none with that name exists."""

    name: str = Field(min_length=1, max_length=128)
    gender: Literal["male", "female", "nonbinary", "unspecified"] | None = None
    ageRange: str | None = Field(default=None, max_length=16)
    ethnicity: str | None = None
    hairColor: str | None = None
    hairStyle: str | None = None
    style: str | None = None
    vibe: str | None = None
    voiceDescription: str | None = None


class SocialAccountSpec(StrictModel):
    returnUrl: str | None = Field(default=None, description="Where OAuth consent lands.")


class BriefSpec(StrictModel):
    hook: str | None = None
    cta: str | None = None
    topic: str | None = None
    angle: str | None = None
    valuePropositions: list[str] | None = None
    targetPlatforms: list[Platform] | None = None
    themeTags: list[str] | None = None
    language: str | None = None


class ScheduleSpec(StrictModel):
    account: Platform = Field(description="A platform connected under `social`.")
    mode: PublishMode
    at: str = Field(description="ISO-8601 time; without an offset it is read in project.timezone.")
    variant: int = Field(default=1, ge=1, le=5)
    id: str | None = Field(default=None, description="Names the entry when account+variant repeat.")
    captionOverride: str | None = None


class ContentSpec(StrictModel):
    format: ContentFormat = "auto"
    variants: int = Field(default=1, ge=1, le=5)
    brief: BriefSpec
    approve: bool | None = Field(
        default=None, description="true: the merged pull request is the approval."
    )
    schedule: list[ScheduleSpec] = Field(default_factory=list)


class CustomerSpec(StrictModel):
    customerExternalId: str = Field(min_length=1, max_length=128)
    project: ProjectSpec
    approval: ApprovalSpec | None = None
    github: GithubSpec | None = None
    brand: BrandSpec | None = None
    influencer: str | InfluencerSpec | None = Field(
        default=None, description="An influencer name or id, or attributes to create one."
    )
    social: dict[Platform, SocialAccountSpec] | None = None
    content: dict[str, ContentSpec] | None = None


class WorkspaceSpec(StrictModel):
    workspace: str | None = Field(default=None, description="Stamped on every managed project.")
    apiUrl: str | None = None
    parallelism: int | None = Field(default=None, ge=1, le=256)
    defaults: dict[str, Any] | None = Field(
        default=None, description="Deep-merged under every customer file."
    )
