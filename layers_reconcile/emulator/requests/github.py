"""GitHub bodies: registering an installation and ingesting a repository."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StrictBool, StrictInt, StrictStr

from layers_reconcile.emulator import world
from layers_reconcile.emulator.fields import SdkPlatform, Text128, Text256, text
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict, fail


class RegisterInstallation(Strict):
    installationId: Annotated[StrictInt, Between(1)]
    state: Annotated[StrictStr, text(1, 200)]


def _repo(value: str) -> str:
    if world.split_repo(value) is None:
        raise fail("must be owner/name")
    return value


class SdkConfig(Body):
    appName: Maybe[Text128] = None
    includePlatforms: Maybe[Annotated[list[SdkPlatform], Between(0, 6)]] = None
    eventAllowlist: Maybe[Annotated[list[StrictStr], Between(0, 500)]] = None


class Ingest(Body):
    repoFullName: Annotated[StrictStr, text(3, 200), AfterValidator(_repo)]
    branch: Maybe[Annotated[StrictStr, text(1, 255)]] = None
    openPR: Maybe[StrictBool] = None
    platforms: Maybe[Annotated[list[SdkPlatform], Between(0, 6)]] = None
    sdkConfig: Maybe[SdkConfig] = None
    prTitle: Maybe[Text256] = None
    prBody: Maybe[Annotated[StrictStr, text(0, 65_536)]] = None
