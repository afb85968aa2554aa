"""The vocabulary of the models: enums, constrained strings and the strict base model.

Constrained strings carry a `Hint` (what a valid value looks like) that error messages quote.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from layers_reconcile.config.zones import check_timezone

Platform = Literal["tiktok", "instagram"]
SdkPlatform = Literal["ios", "android", "web", "react-native", "flutter", "expo"]
ContentFormat = Literal["auto", "video_remix", "slideshow_remix", "ugc_remix", "slideshow_builder"]
# `managed` is Rev B's alone (config.revision refuses it on Rev A).
PublishMode = Literal["direct_publish", "draft_to_device", "reels", "feed", "managed"]
Gender = Literal["male", "female", "nonbinary", "unspecified"]

MODES_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "tiktok": ("direct_publish", "draft_to_device", "managed"),
    "instagram": ("reels", "feed", "draft_to_device", "managed"),
}
RESERVED_METADATA_KEY = "layersReconcile"
METADATA_MAX_BYTES = 4096
# A child organization's metadata (CONTRACT-revb §2): string values, key ≤ 40, value ≤ 500,
# ≤ 50 keys. The tool keeps two of them: the customer it is and the workspace that manages it.
ORG_EXTERNAL_ID_KEY = "externalId"
ORG_WORKSPACE_KEY = "layersReconcileWorkspace"
# Also the tool's, to keep a no-op plan cheap: the project inside the child, and the transfer
# ids its ledger already holds (the ledger stays the truth before any money moves).
ORG_PROJECT_KEY = "layersReconcileProject"
ORG_TRANSFERS_KEY = "layersReconcileTransfers"
# On an allocation: which transfer of the file it carries out.
TRANSFER_ID_KEY = "layersReconcileTransfer"
ORG_TOOL_KEYS = (ORG_EXTERNAL_ID_KEY, ORG_WORKSPACE_KEY, ORG_PROJECT_KEY, ORG_TRANSFERS_KEY)
ORG_METADATA_MAX_KEYS = 50
ORG_METADATA_KEY_MAX = 40
ORG_METADATA_VALUE_MAX = 500


@dataclass(frozen=True)
class Hint:
    """Annotated metadata: what a value of this type looks like, quoted in error messages."""

    text: str


SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
AT_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?$"
RETURN_URL_PATTERN = (
    r"^(https://[^/?#\s]+|http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?)([/?#]\S*)?$"
)

Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=SLUG_PATTERN),
    Hint("a slug of lowercase letters, digits and '-' (e.g. 'launch-hook')"),
]
# Invisible characters that make two ids look alike, or change what a terminal shows: controls
# (C0, DEL, C1: ESC starts a terminal sequence), format characters (zero-width, bidi, BOM),
# surrogates and the line/paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def hidden_character(text: str) -> str | None:
    """The first invisible or control character of `text`, described (never itself), or None."""
    for index, char in enumerate(text):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            name = unicodedata.name(char, "") or "a control character"
            return f"U+{ord(char):04X}, {name}, at character {index + 1}"
    return None


def _plain_id(value: Any, info: ValidationInfo) -> Any:
    """Before the pattern, so that a tab or a newline is named too, never echoed."""
    hidden = hidden_character(value) if isinstance(value, str) else None
    if hidden is not None:
        raise PydanticCustomError(
            "hidden_character",
            "'{field}' holds an invisible or control character ({hidden}): it would look like "
            "another id, or act on the terminal that shows it; type the id again without it",
            {"field": info.field_name or "the id", "hidden": hidden},
        )
    return value


def _foreign_digit(value: str, start: int, end: int, field: str) -> None:
    for index in range(start, end):
        char = value[index]
        if unicodedata.category(char) == "Nd" and not "0" <= char <= "9":
            name = unicodedata.name(char, "a digit")
            raise PydanticCustomError(
                "foreign_digit",
                "'{field}' has a digit other than 0-9 ({digit}): type the number again with 0-9",
                {"field": field, "digit": f"U+{ord(char):04X}, {name}, at character {index + 1}"},
            )


def _ascii_digits(value: str, info: ValidationInfo) -> str:
    """A pattern's `\\d` matches the digits of every script (`٢`, `２`) where JSON Schema's
    reads 0-9 only: a duration or a time in other digits validated, and was sent as written."""
    _foreign_digit(value, 0, len(value), info.field_name or "the value")
    return value


def _ascii_port(value: str, info: ValidationInfo) -> str:
    """A URL's port in other digits than 0-9 (`localhost:٨٠`) is no port any browser or HTTP
    client reads; the host and the path may be in any script."""
    scheme, found, _ = value.partition("://")
    if found:
        start = len(scheme) + 3
        end = next((i for i in range(start, len(value)) if value[i] in "/?#"), len(value))
        colon = value.rfind(":", start, end)
        if colon != -1 and "]" not in value[colon:end]:
            _foreign_digit(value, colon + 1, end, info.field_name or "the URL")
    return value


AsciiDigits = AfterValidator(_ascii_digits)
AsciiPort = AfterValidator(_ascii_port)


def spelt_id(noun: str) -> AfterValidator:
    """An id (or a branch) of spaces, or with spaces around it, names nothing the API has: it is
    sent as written, so the request would fail (or find nothing) long after validate said yes.
    `noun` names what to write ("the id of the TikTok post")."""

    def check(value: str, info: ValidationInfo) -> str:
        field = info.field_name or "the id"
        _plain_id(value, info)
        if not value.strip():
            raise PydanticCustomError(
                "blank_id", "'{field}' is only spaces: write {noun}", {"field": field, "noun": noun}
            )
        if value != value.strip():
            raise PydanticCustomError(
                "blank_id",
                "'{field}' has spaces before or after {noun}: remove them",
                {"field": field, "noun": noun},
            )
        return value

    return AfterValidator(check)


ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[^\s/]+$"),
    BeforeValidator(_plain_id),
    Hint("an id without spaces or '/' (it starts every address, e.g. 'quinn-coffee-001/project')"),
]
WORKSPACE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
WorkspaceName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=WORKSPACE_NAME_PATTERN),
    Hint("letters, digits, '.', '_' and '-' (e.g. 'acme-agency-prod')"),
]


def is_workspace_name(text: str) -> bool:
    """Whether `text` may be written as `workspace:` in layers.yaml (what `WorkspaceName` takes)."""
    return len(text) <= 64 and re.fullmatch(WORKSPACE_NAME_PATTERN, text) is not None


RepoName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"),
    Hint("'owner/name' (e.g. 'quinns-coffee/quinns-app')"),
]
LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"),
    Hint("a BCP-47 language tag such as 'en' or 'pt-BR'"),
]
ReturnUrl = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=RETURN_URL_PATTERN),
    AsciiPort,
    Hint("an https:// URL (http:// only for localhost or 127.0.0.1)"),
]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=2048, pattern=r"^https?://[^/?#\s]+([/?#]\S*)?$"),
    AsciiPort,
    Hint("an http(s):// URL such as 'https://api.layers.com'"),
]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Hint("an e-mail address"),
]
IsoDuration = Annotated[
    str,
    StringConstraints(pattern=r"^(P(\d+[YMWD])+(T(\d+[HMS])+)?|PT(\d+[HMS])+)$"),
    AsciiDigits,
    Hint("an ISO-8601 duration such as 'PT24H', 'P7D' or 'PT30M'"),
]
ScheduleTime = Annotated[
    str,
    StringConstraints(pattern=AT_PATTERN),
    AsciiDigits,
    Hint(
        "an ISO-8601 date and time such as '2027-03-01T22:00:00Z', or '2027-03-01T14:00' "
        "read in project.timezone"
    ),
]
Timezone = Annotated[str, AfterValidator(check_timezone)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


def check_metadata(value: dict[str, Any]) -> dict[str, Any]:
    if RESERVED_METADATA_KEY in value:
        raise PydanticCustomError(
            "reserved_key",
            "'{key}' is reserved: the tool keeps its own record under it; use another key",
            {"key": RESERVED_METADATA_KEY},
        )
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    if size > METADATA_MAX_BYTES:
        raise PydanticCustomError(
            "metadata_too_large",
            "'metadata' is {size} bytes as JSON; keep it under {limit} (the API allows 8 KB "
            "and the tool keeps its own record beside your keys)",
            {"size": size, "limit": METADATA_MAX_BYTES},
        )
    return value


def tidy_json_schema(schema: dict[str, Any], cls: type[Any]) -> None:
    """Drop pydantic's generated titles and the `null` branch of fields that refuse null."""
    nullable: frozenset[str] = getattr(cls, "nullable_fields", frozenset())
    for name, prop in schema.get("properties", {}).items():
        prop.pop("title", None)
        if name in nullable:
            continue
        if prop.get("default", 0) is None:
            del prop["default"]
        branches = prop.get("anyOf")
        if isinstance(branches, list) and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                for key, value in rest[0].items():
                    prop.setdefault(key, value)
            else:
                prop["anyOf"] = rest


class StrictModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        populate_by_name=False,
        json_schema_extra=tidy_json_schema,
    )

    # Fields whose `null` means "clear it" in the API; every other field refuses null.
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise PydanticCustomError(
                "null_not_allowed",
                "'{field}' has no value; give it one, or remove the key to leave it unmanaged",
                {"field": info.field_name},
            )
        return value

    @model_validator(mode="after")
    def _refuse_blank(self) -> Self:
        """Text of spaces only says nothing (and reads as empty wherever it is shown): it is
        refused like empty text, in every field and every entry of a list of text, at its line.
        An id's own check (`spelt_id`) has said what to write instead before this runs. One
        pass per model, not a call per field: this runs for every value of every file."""
        blank: list[InitErrorDetails] = []
        for field, value in self.__dict__.items():
            if isinstance(value, str):
                if value and not value.strip():
                    required = type(self).model_fields[field].is_required()
                    blank.append(_blank(field, (field,), value, "" if required else _OR_REMOVE))
            elif isinstance(value, list):
                blank.extend(
                    _blank(field, (field, index), item, None)
                    for index, item in enumerate(value)
                    if isinstance(item, str) and item and not item.strip()
                )
        if blank:
            raise ValidationError.from_exception_data(type(self).__name__, blank)
        return self


_OR_REMOVE = ", or remove the key to leave it unmanaged"


def _blank(field: str, loc: tuple[str | int, ...], value: str, fix: str | None) -> InitErrorDetails:
    """The error of text of spaces only: a field's (`fix` says what else to do), or a list
    entry's (`fix` None)."""
    if fix is None:
        error = PydanticCustomError(
            "blank_text",
            "entry {n} of '{field}' is only spaces: write it, or remove the entry",
            {"n": int(loc[-1]) + 1, "field": field},
        )
    else:
        error = PydanticCustomError(
            "blank_text", "'{field}' is only spaces: write it{fix}", {"field": field, "fix": fix}
        )
    return InitErrorDetails(type=error, loc=loc, input=value)


Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]


def check_org_metadata(value: dict[str, str]) -> dict[str, str]:
    """The partner's keys of a child organization: the API's limits, less the tool's own keys."""
    for key in value:
        if key in ORG_TOOL_KEYS:
            raise PydanticCustomError(
                "reserved_key",
                "'{key}' is the tool's own key on the child organization (it names the customer, "
                "the workspace and what the tool did there); use another key",
                {"key": key},
            )
        if not 1 <= len(key) <= ORG_METADATA_KEY_MAX:
            raise PydanticCustomError(
                "metadata_key",
                "metadata key '{key}' is {n} characters; the API allows 1–{limit}",
                {"key": key[:60], "n": len(key), "limit": ORG_METADATA_KEY_MAX},
            )
    room = ORG_METADATA_MAX_KEYS - len(ORG_TOOL_KEYS)
    if len(value) > room:
        raise PydanticCustomError(
            "metadata_keys",
            "'metadata' has {n} keys; at most {room} (the API allows {limit}, the tool keeps "
            "{tool} of its own)",
            {
                "n": len(value),
                "room": room,
                "limit": ORG_METADATA_MAX_KEYS,
                "tool": len(ORG_TOOL_KEYS),
            },
        )
    return value


OrgMetadata = Annotated[
    dict[str, Annotated[str, StringConstraints(max_length=ORG_METADATA_VALUE_MAX)]],
    AfterValidator(check_org_metadata),
]
