"""Organization bodies (Rev B, CONTRACT-revb.md §2): partner metadata, credits, child keys."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictInt, StrictStr, field_validator

from layers_reconcile.emulator.common import canonical, parse_uuid
from layers_reconcile.emulator.fields import Email, Name, Text500, text
from layers_reconcile.emulator.validation import Between, Body, Maybe, fail

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
