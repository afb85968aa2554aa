"""Publishing bodies: targets, publish now, schedule, reschedule (Rev A and Rev B)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ValidationInfo, field_validator

from layers_reconcile.emulator import lookups, posts
from layers_reconcile.emulator.common import parse_instant
from layers_reconcile.emulator.fields import (
    AnyId,
    Instant,
    Mode,
    ModeB,
    NonEmpty,
    Text2200,
    Text4000,
    context_of,
    uuid_of,
)
from layers_reconcile.emulator.validation import Between, Body, fail


class Target(Body):
    socialAccountId: NonEmpty
    mode: Mode
    scheduledPostId: AnyId = None
    captionOverride: Text2200 | None = None
    firstCommentOverride: Text2200 | None = None

    @field_validator("socialAccountId")
    @classmethod
    def _account(cls, value: str, info: ValidationInfo) -> str:
        ctx = context_of(info)
        if ctx is None:
            return value
        account = lookups.target_account(ctx, value)
        if account is None:
            raise fail("is not a social account of this project")
        if account["status"] != "connected":
            raise fail(f"is {account['status']}; reconnect it first")
        return value

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str, info: ValidationInfo) -> str:
        ctx, raw = context_of(info), info.data.get("socialAccountId")
        account = lookups.target_account(ctx, raw) if ctx is not None and raw else None
        # Rev A's modes depend on the platform; Rev B's (publish, draft, managed) do not
        rev_a = value in posts.ALL_MODES
        if account is not None and rev_a and value not in posts.MODES[account["platform"]]:
            modes = ", ".join(posts.MODES[account["platform"]])
            raise fail(f"must be one of {modes} on {account['platform']}")
        return value

    @field_validator("scheduledPostId")
    @classmethod
    def _id(cls, value: Any) -> str | None:
        return uuid_of(value, "sp")


Targets = Annotated[list[Target], Between(1, 50)]


class Publish(Body):
    targets: Targets


class Schedule(Body):
    scheduledFor: Instant
    targets: Targets


RESCHEDULE_LEAD = 30.0


class Reschedule(Body):
    scheduledFor: Instant

    @field_validator("scheduledFor")
    @classmethod
    def _lead(cls, value: str, info: ValidationInfo) -> str:
        ctx = context_of(info)
        when = parse_instant(value)
        if ctx is not None and when is not None and when < ctx["now"] + RESCHEDULE_LEAD:
            raise fail("must be at least 30 seconds in the future")
        return value


class TargetB(Target):
    mode: ModeB  # type: ignore[assignment]
    captionOverride: Text4000 | None = None
    firstCommentOverride: Text4000 | None = None


TargetsB = Annotated[list[TargetB], Between(1, 50)]


class PublishB(Body):
    targets: TargetsB


class ScheduleB(Body):
    scheduledFor: Instant
    targets: TargetsB
