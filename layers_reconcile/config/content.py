"""Pydantic models of a customer's content: the brief, the source post, the schedule entries.

How each API revision's generation request is made from an entry is `config.generation`'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from layers_reconcile.config.fieldtypes import (
    MODES_BY_PLATFORM,
    ContentFormat,
    LanguageTag,
    Platform,
    PublishMode,
    ScheduleTime,
    ShortText,
    Slug,
    StrictModel,
    spelt_id,
    tidy_json_schema,
)

__all__ = ["BriefSpec", "ContentSpec", "ScheduleSpec", "SourceSpec"]


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

    tiktokVideoId: Annotated[
        str, StringConstraints(min_length=1, max_length=64), spelt_id("the id of the TikTok post")
    ] = Field(
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
    media: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=200), spelt_id("the id of the media")
        ]
        | None
    ) = Field(
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
