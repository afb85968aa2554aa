"""The API's status vocabularies, written once (CONTRACT.md).

Plan and apply both read these: the diff decides "still running" or "over" with the same sets
apply waits on. A neutral module (no imports of the project) so the pure diff may use it.
"""

from __future__ import annotations

from typing import Literal

ProjectStatus = Literal["active", "archived"]
ContainerStatus = Literal[
    "queued", "generating", "processing", "running", "completed", "failed", "canceled"
]
PostStatus = Literal[
    "queued", "publishing", "published", "failed", "canceled", "draft", "draft_in_inbox"
]
IngestStatus = Literal["queued", "running", "completed", "failed", "canceled"]
InfluencerStatus = Literal[
    "draft", "pending", "training", "processing", "ready", "failed", "deleted", "archived"
]
ApprovalStatus = Literal["pending", "approved", "rejected", "not_required"]

# A content container still being generated.
CONTAINER_RUNNING: frozenset[str] = frozenset({"queued", "generating", "processing", "running"})
# A scheduled post that is over: nothing left to cancel or move.
POST_DONE: frozenset[str] = frozenset(
    {"published", "failed", "canceled", "draft", "draft_in_inbox"}
)
# An ingest job that has not finished.
INGEST_RUNNING: frozenset[str] = frozenset({"running", "queued"})
# An influencer that can never be used again, and one not ready yet.
INFLUENCER_UNUSABLE: frozenset[str] = frozenset({"failed", "deleted", "archived"})
INFLUENCER_BUSY: frozenset[str] = frozenset({"draft", "pending", "training", "processing"})
# A container's approval that lets its posts go out.
APPROVAL_CLEARED: frozenset[str] = frozenset({"approved", "not_required"})
