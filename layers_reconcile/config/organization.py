"""Pydantic models of a customer's child organization (API Rev B): its name, its wallet."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from layers_reconcile.config.fieldtypes import Email, OrgMetadata, Slug, StrictModel

__all__ = ["AutoRefillSpec", "OrgCreditsSpec", "OrganizationSpec", "TransferSpec"]


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
