"""Rev B's child organizations and their credits: the organization, its credit config, the
ledger's events, transfers, the migration and the archive.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, Strict

from layers_reconcile.records.base import (
    Amount,
    Model,
    Number,
    Object,
    Strings,
    Text,
    bool_or_none,
    int_or_none,
    object_or_none,
    objects_only,
)


class OrganizationSummary(Model):
    """The `summary` of a child read alone: its unreserved credit balance (`available`, None
    when not a whole number) besides its `creditConfig`."""

    available: Annotated[int | None, BeforeValidator(int_or_none)] = None


class Organization(Model):
    """A child organization (Rev B, `GET /v1/organizations[/:id]`, create, patch, suspend,
    resume). `metadata` holds string values; the tool's identity keys live there. `summary`
    (only on a GET of one) carries `creditConfig` and the balance."""

    id: Annotated[str, Strict()]
    name: Text = None
    status: Text = None
    metadata: Object = None
    billing_email: Text = None
    summary: Annotated[OrganizationSummary | None, BeforeValidator(object_or_none)] = None

    def meta(self, key: str) -> str | None:
        """One metadata value, when it is a string (the API's type; anything else is absent)."""
        value = (self.metadata or {}).get(key)
        return value if isinstance(value, str) else None


class CreditLimits(Model):
    """The settings of a credit config (null: no cap, no refill), as sent."""

    monthly_credit_cap: Amount = None
    refill_threshold: Amount = None
    refill_amount: Amount = None


class CreditConfig(Model):
    """`GET/PATCH /v1/organizations/:id/credit-config`: the child's cap and auto-refill.

    `config` is the settings as sent (the plan compares them by name); `limits` reads the same
    object by field."""

    config: Object = None
    limits: Annotated[CreditLimits | None, BeforeValidator(object_or_none)] = Field(
        default=None, validation_alias="config", exclude=True
    )


class CreditEvent(Model):
    """A row of a credit ledger (`…/credits/events`): an allocation carries the partner's
    `metadata` (the tool's transfer id) and the parent-side `transferId`."""

    event_type: Text = None
    credits: Number = None
    metadata: Object = None
    transfer_id: Text = None


class Transfer(Model):
    """`POST /v1/organizations/:id/credits/allocate`: the transfer (`txn_…`), `replayed` on a
    repeat of the same key and body."""

    id: Annotated[str, Strict()]
    credits: Number = None
    replayed: Annotated[bool | None, BeforeValidator(bool_or_none)] = None


class MovedTo(Model):
    """One child a migrate made, and the projects it moved there (ids as the API spells them)."""

    id: Text = None
    name: Text = None
    project_ids: Strings = ()


class Migration(Model):
    """`POST /v1/organizations/migrate`: which child each moved project went to."""

    projects_moved: Number = None
    children: Annotated[tuple[MovedTo, ...], BeforeValidator(objects_only)] = ()


class Archived(Model):
    """`DELETE /v1/organizations/:id`: terminal; the credits swept back to the parent."""

    status: Text = None
    reclaimed_credits: Number = None
