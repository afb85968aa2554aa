"""Typed wire records: the API's answers and the tool's reserved metadata, described once.

TypedDicts (kopf's way), so plan and apply keep reading plain JSON objects (`row["id"]`,
`row.get("status")`) while mypy checks the declared keys and their types. The client validates
every answer it hands out against these same types (pydantic TypeAdapter, `client/records.py`):
only the fields the reconciler relies on are declared, everything else the API sends is kept
(`extra="allow"`), so a newer API that adds fields still validates.

Neutral: imports nothing of the project but `statuses`, so the pure diff may use it.
"""

from __future__ import annotations

from typing import Annotated, Any, Required

from pydantic import ConfigDict, Strict, with_config
from typing_extensions import TypedDict

Str = Annotated[str, Strict()]
# A key the reconciler reads but does not check: declared so mypy knows the name, read
# defensively (`.get`, isinstance) because a server may send anything there.
Unchecked = Any
Int = Annotated[int, Strict()]
JsonObject = dict[str, Any]

_OPEN = ConfigDict(extra="allow")


@with_config(_OPEN)
class Answer(TypedDict, total=False):
    """Any JSON object (whoami, a PATCH answer, a list item not checked further)."""


@with_config(_OPEN)
class Project(TypedDict, total=False):
    id: Required[Str]
    customerExternalId: Required[Str | None]  # present on every project; null when unbound
    name: Str | None
    status: Str | None  # statuses.ProjectStatus
    metadata: JsonObject | None
    approvalPolicy: Unchecked
    brandContext: Unchecked
    ingestState: Unchecked
    requiresApproval: Unchecked
    timezone: Unchecked
    primaryLanguage: Unchecked
    ownerEmail: Unchecked
    firstNPostsBlocked: Unchecked
    autoApproveAfter: Unchecked


@with_config(_OPEN)
class Container(TypedDict, total=False):
    id: Required[Str]
    status: Str | None  # statuses.ContainerStatus
    approvalStatus: Unchecked  # statuses.ApprovalStatus
    brief: Unchecked
    format: Unchecked
    jobId: Unchecked


@with_config(_OPEN)
class ScheduledPost(TypedDict, total=False):
    id: Required[Str]
    status: Str | None  # statuses.PostStatus
    containerId: Unchecked
    platform: Unchecked
    scheduledFor: Unchecked
    externalUrl: Unchecked
    lastError: Unchecked


@with_config(_OPEN)
class Job(TypedDict, total=False):
    """A job-starting answer (202) or a poll of `GET /v1/jobs/:id`."""

    jobId: Required[Str]
    status: Str | None
    containerId: Unchecked
    containerIds: Unchecked
    influencerId: Unchecked
    error: Unchecked


@with_config(_OPEN)
class Installation(TypedDict, total=False):
    installationId: Required[Int | Str]
    installations: list[JsonObject] | None  # the emulator lists every registration here
    items: Unchecked
    githubAccount: Unchecked
    orgLogin: Unchecked
    status: Unchecked


@with_config(_OPEN)
class SocialAccount(TypedDict, total=False):
    """Rev A names the id `socialAccountId`, Rev B `id`: one of them is there."""

    id: Str | None
    platform: Str | None
    socialAccountId: Unchecked
    status: Unchecked
    handle: Unchecked


@with_config(_OPEN)
class Influencer(TypedDict, total=False):
    """Rev A names the id `influencerId`, Rev B `id`: one of them is there."""

    id: Str | None
    influencerId: Unchecked
    name: Unchecked
    status: Unchecked


@with_config(_OPEN)
class Page(TypedDict, total=False):
    """One page of a cursor-paginated list."""

    items: Required[list[JsonObject]]
    nextCursor: Str | None


class IngestRecord(TypedDict, total=False):
    """What apply recorded of the last ingest it started (docs/design.md)."""

    repo: str
    branch: str | None  # None: the repo's default branch
    platforms: list[str] | None  # None: detected from the repo
    jobId: str
    status: str  # statuses.IngestStatus
    # What apply writes when the job failed: its error code (plan/diff.py reads a dict here and
    # finds no code in it, so it names the code only when the API's ingestState has one).
    error: str | None
    attempt: int


class ContentRecord(TypedDict, total=False):
    """What apply recorded of one content key's generation."""

    containerIds: list[str]
    jobId: str
    jobIds: list[str]
    briefHash: str
    format: str
    variants: int
    status: str
    generation: int
    regenerations: int
    entryIds: dict[str, str]  # post id -> the schedule entry's `id:` in the file


class ReservedRecord(TypedDict, total=False):
    """The tool's own record, `project.metadata["layersReconcile"]` (docs/design.md)."""

    v: int
    workspace: str
    lastAppliedAt: str
    ingest: IngestRecord
    influencerId: str
    influencerJob: JsonObject  # {"jobId", "influencerId"} while a create runs
    content: dict[str, ContentRecord]
    canceledPosts: list[str]  # bare ids of the posts this tool canceled, newest last
    oauthStates: dict[str, str]  # platform -> the state of the last consent URL shown
    links: dict[str, JsonObject]  # "github" | "social/PLATFORM" -> plan.links.Link.record()
