"""Social-account bodies: OAuth and reauth URLs."""

from __future__ import annotations

from typing import Annotated

from pydantic import ValidationInfo, field_validator

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.fields import NonEmpty, Platform, Text64, Text1024, Url, context_of
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict, fail

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
