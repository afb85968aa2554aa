"""Project bodies: create, patch and the approval policies (Rev A and Rev B)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, field_validator
from pydantic import model_validator as model_check

from layers_reconcile.emulator.common import DURATION, parse_duration
from layers_reconcile.emulator.fields import (
    AnyId,
    BrandVoice,
    Email,
    ExternalId,
    Lang,
    Metadata,
    Name,
    ShortName,
    TargetGender,
    Text2000,
    Timezone,
    text,
    uuid_of,
)
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict, at_least_one, fail


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
        at_least_one(self)
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
        at_least_one(self, "requiresApproval, firstNPostsBlocked, autoApproveAfter")
        return self


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
        at_least_one(self)
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
