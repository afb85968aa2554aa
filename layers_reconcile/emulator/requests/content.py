"""Content bodies: Rev A briefs and generation, Rev B generation routes, review verdicts."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, StrictBool, StrictInt, StrictStr, ValidationInfo, field_validator
from pydantic import model_validator as model_check

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.common import parse_uuid
from layers_reconcile.emulator.fields import (
    AnyId,
    Format,
    Hook,
    Lang,
    NonEmpty,
    Platform,
    Text64,
    Text500,
    Text1024,
    Text2000,
    context_of,
    text,
    uuid_of,
)
from layers_reconcile.emulator.validation import Between, Body, Maybe, fail


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
