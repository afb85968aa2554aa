"""Content and its lifecycle: jobs, containers, schedules and scheduled posts."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasPath, BeforeValidator, Field, Strict, model_validator

from layers_reconcile.records.base import (
    Format,
    JsonObject,
    Model,
    Number,
    Strings,
    Text,
    object_or_none,
    objects_only,
    sent,
    text_or_none,
)
from layers_reconcile.statuses import (
    ApprovalStatusField,
    ContainerStatusField,
    GateStatusField,
    IngestStatusField,
    JobStatusField,
    PostStatusField,
)


class JobError(Model):
    code: Text = None
    message: Text = None


class IngestRun(Model):
    """`ingestState.github` on a project row: the last ingest Layers ran for the project,
    whoever started it; `error` as `{code, message}` when it failed."""

    job_id: Text = None
    status: IngestStatusField = None
    status_sent: Text = sent("status")
    error: Annotated[JobError | None, BeforeValidator(object_or_none)] = None


class IngestState(Model):
    """`ingestState` on a project row: the last ingest of each source (`website`, `appstore`:
    kept as sent, not read); `github` None when absent, null or not an object."""

    github: Annotated[IngestRun | None, BeforeValidator(object_or_none)] = None


class JobResult(Model):
    """What a finished job made (an ingest: the pull request it opened)."""

    pr_url: Text = None


class Job(Model):
    """A job-starting answer (202) or a poll of `GET /v1/jobs/:id`; `influencer_id` and
    `container_ids` name what a create's job makes."""

    job_id: Annotated[str, Strict()] = Field(alias="jobId")
    status: JobStatusField = None
    status_sent: Text = sent("status")
    progress: Number = None
    stage: Text = None
    container_id: Text = None
    container_ids: Strings = ()
    influencer_id: Text = None
    format: Format = None
    error: Annotated[JobError | None, BeforeValidator(object_or_none)] = None
    result: Annotated[JobResult | None, BeforeValidator(object_or_none)] = None

    @model_validator(mode="before")
    @classmethod
    def _job_id(cls, value: Any) -> Any:
        # a poll may name the job `id` (Rev B) instead of `jobId` (Rev A)
        if isinstance(value, dict) and "jobId" not in value and isinstance(value.get("id"), str):
            return {**value, "jobId": value["id"]}
        return value


class ScheduleAnswer(Model):
    """`POST /v1/content/:id/schedule`."""

    scheduled_post_ids: Strings = ()
    gate_status: GateStatusField = None
    gate_status_sent: Text = sent("gateStatus")


class ScheduleIntent(Model):
    """A schedule the API holds back until the container is approved (a post to be)."""

    scheduled_post_id: Text = None
    scheduled_for: Text = None


class Container(Model):
    """One content container."""

    id: Annotated[str, Strict()]
    status: ContainerStatusField = None
    status_sent: Text = sent("status")
    approval_status: ApprovalStatusField = None
    approval_status_sent: Text = sent("approvalStatus")
    # The brief as sent: its fields mirror the file's `brief:` (compared, written back by name).
    brief: Annotated[JsonObject | None, BeforeValidator(object_or_none)] = None
    # Rev B: the TikTok post a remix started from, which the API keeps in the brief.
    tiktok_video_id: Text = Field(
        default=None, validation_alias=AliasPath("brief", "tiktokVideoId"), exclude=True
    )
    format: Format = None
    job_id: Text = None
    pending_schedule_intents: Annotated[
        tuple[ScheduleIntent, ...], BeforeValidator(objects_only)
    ] = ()
    rejection_reason: Text = None  # also spelled `reason`

    @model_validator(mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        if not isinstance(value, dict) or text_or_none(value.get("rejectionReason")):
            return value
        other = text_or_none(value.get("reason"))
        return {**value, "rejectionReason": other} if other else value


class PostError(Model):
    code: Text = None
    message: Text = None


class ScheduledPost(Model):
    """One scheduled post."""

    id: Annotated[str, Strict()]
    status: PostStatusField = None
    status_sent: Text = sent("status")
    container_id: Text = None
    platform: Text = None
    scheduled_for: Text = None
    external_url: Text = None
    last_error: Annotated[PostError | None, BeforeValidator(object_or_none)] = None
    canceled_at: Text = None
    updated_at: Text = None
    mode: Text = None
    caption_override: Text = None
