"""The field types request bodies and queries share: vocabularies, bounded strings, instants, ids."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictStr, ValidationInfo

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.common import JSON, canonical, parse_instant, parse_uuid
from layers_reconcile.emulator.validation import fail

Platform = Literal["tiktok", "instagram"]
ContentFormat = Literal["video_remix", "slideshow_remix", "ugc_remix"]
Format = Literal[ContentFormat, "auto"]
Mode = Literal["direct_publish", "draft_to_device", "reels", "feed"]
SdkPlatform = Literal["ios", "android", "web", "react-native", "flutter", "expo"]
Gender = Literal["male", "female", "nonbinary", "unspecified"]
# Rev B's vocabularies (CONTRACT-revb.md §11)
WireFormat = Literal["slideshow-builder", "slideshow-remix", "video-remix", "ugc-remix"]
ModeB = Literal["publish", "draft", "managed"]
GenderB = Literal["male", "female", "non_binary"]
AgeRange = Literal["teen", "young_adult", "adult", "mid_adult", "mature", "senior"]
BrandVoice = Literal["authentic", "witty", "professional", "warm", "casual", "educational"]
TargetGender = Literal["all", "female", "male"]


def text(lo: int = 0, hi: int | None = None) -> Any:
    return Field(min_length=lo or None, max_length=hi)


Name = Annotated[StrictStr, text(1, 128)]
ShortName = Annotated[StrictStr, text(3, 30)]
Lang = Annotated[StrictStr, text(2, 35)]
Text16 = Annotated[StrictStr, text(0, 16)]
Text64 = Annotated[StrictStr, text(0, 64)]
Text128 = Annotated[StrictStr, text(0, 128)]
Text256 = Annotated[StrictStr, text(0, 256)]
Text500 = Annotated[StrictStr, text(0, 500)]
Text1024 = Annotated[StrictStr, text(0, 1024)]
Text2000 = Annotated[StrictStr, text(0, 2000)]
Text2200 = Annotated[StrictStr, text(0, 2200)]
Text4000 = Annotated[StrictStr, text(0, 4000)]
Hook = Annotated[StrictStr, text(1, 2000)]
ExternalId = Annotated[StrictStr, text(1, 255)]
Email = Annotated[StrictStr, text(0, 320)]
Url = Annotated[StrictStr, text(1, 2048)]
NonEmpty = Annotated[StrictStr, text(1)]
AnyId = Annotated[Any, Field(json_schema_extra={"type": "string"})]
METADATA_LIMIT = 8 * 1024


def context_of(info: ValidationInfo) -> JSON | None:
    context = info.context
    return context if isinstance(context, dict) else None


def uuid_of(value: Any, prefix: str) -> str | None:
    if value is None:
        return None
    ident = parse_uuid(value, prefix)
    if ident is None:
        raise fail("must be a uuid")
    return ident


def _instant(value: str) -> str:
    if parse_instant(value) is None:
        raise fail("must be an ISO-8601 instant with an offset, e.g. 2026-04-18T22:00:00Z")
    return value


def _timezone(value: str) -> str:
    if not lookups.valid_timezone(value):
        raise fail("must be an IANA time zone such as America/Los_Angeles (or UTC)")
    return value


def _metadata(value: JSON | None) -> JSON | None:
    if value is not None and len(canonical(value).encode()) > METADATA_LIMIT:
        raise fail("must be at most 8 KB")
    return value


Timezone = Annotated[StrictStr, text(1, 64), AfterValidator(_timezone)]
Instant = Annotated[
    StrictStr, text(1), AfterValidator(_instant), Field(json_schema_extra={"format": "date-time"})
]
Metadata = Annotated[dict[str, Any] | None, AfterValidator(_metadata)]
