"""The tool's own bookkeeping: the reserved record it keeps in `project.metadata` (docs/design.md).

TypedDicts, not models: apply writes them back as JSON; mypy checks every read.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from layers_reconcile.records.base import JsonObject, Model, Text


class LinkRecord(Model):
    """A link the tool recorded (reserved `links`, `plan.links.Link.record()`): the consent URL,
    its `state` and `expiresAt` as the API gave them, the return URL and subject it was made
    for. Kept in the project's metadata, which anyone may edit: a field of the wrong type reads
    as absent."""

    url: Text = None
    state: Text = None
    expires_at: Text = None
    return_url: Text = None
    subject: Text = None


class IngestRecord(TypedDict, total=False):
    """What apply recorded of the last ingest it started (docs/design.md)."""

    repo: str
    branch: str | None  # None: the repo's default branch
    platforms: list[str] | None  # None: detected from the repo
    jobId: str
    status: str  # statuses.IngestStatus
    # What apply writes when the job failed: its error code (plan names the code of the API's
    # ingestState first, this one when the API's has none).
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
    # Rev B (one call per variant): variant number ("1", "2", …) -> its container, and the job
    # of a variant still generating. `containerIds` lists them in variant order.
    variantIds: dict[str, str]
    variantJobs: dict[str, str]
    variantAttempts: dict[str, int]  # how often a variant was made again after it failed


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
