"""The API's status vocabularies, written once (CONTRACT.md).

Plan and apply both read these: the diff decides "still running" or "over" with the same sets
apply waits on; the `*StatusField` types at the end are how the records read each status. A
neutral module (no imports of the project) so the pure diff may use it.

Each vocabulary ends with `"unknown"`: what the records (`records.py`) read a status this version
does not know as (one the API adds later); the record keeps the value as sent for messages. An
unknown status is never "over" nor "cleared": a container in it counts as still generating, an
influencer as not ready, a post as live (never treated as over, so never silently skipped),
an approval as not given, a project in it is not planned at all (`plan/observe.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator

# A status the API sent that its vocabulary below does not have (the `*StatusField` types).
Unknown = Literal["unknown"]
UNKNOWN: Unknown = "unknown"

ProjectStatus = Literal["active", "archived", "unknown"]
ContainerStatus = Literal[
    "queued", "generating", "processing", "running", "completed", "failed", "canceled", "unknown"
]
PostStatus = Literal[
    "queued",
    "publishing",
    "published",
    "failed",
    "canceled",
    "draft",
    "draft_in_inbox",
    "unknown",
]
IngestStatus = Literal["queued", "running", "completed", "failed", "canceled"]
JobStatus = Literal["queued", "running", "completed", "failed", "canceled", "unknown"]
InfluencerStatus = Literal[
    "draft",
    "pending",
    "training",
    "processing",
    "ready",
    "failed",
    "deleted",
    "archived",
    "unknown",
]
ApprovalStatus = Literal["pending", "approved", "rejected", "not_required", "unknown"]
InstallationStatus = Literal["active", "uninstalled", "unknown"]
SocialAccountStatus = Literal["connected", "reauth_required", "disconnected", "unknown"]
OAuthStatusValue = Literal["pending", "completed", "failed", "unknown"]
GateStatus = Literal["scheduled", "blocked_on_approval", "unknown"]

# A content container still being generated (an unknown status: not finished as far as we know).
CONTAINER_RUNNING: frozenset[ContainerStatus] = frozenset(
    {"queued", "generating", "processing", "running", "unknown"}
)
# A scheduled post that is over: nothing left to cancel or move (never an unknown status).
POST_DONE: frozenset[PostStatus] = frozenset(
    {"published", "failed", "canceled", "draft", "draft_in_inbox"}
)
# An ingest job that has not finished.
INGEST_RUNNING: frozenset[str] = frozenset({"running", "queued"})
# An influencer that can never be used again, and one not ready yet (an unknown status: not
# ready; apply waits for "ready").
INFLUENCER_UNUSABLE: frozenset[InfluencerStatus] = frozenset({"failed", "deleted", "archived"})
INFLUENCER_BUSY: frozenset[InfluencerStatus] = frozenset(
    {"draft", "pending", "training", "processing", "unknown"}
)
# A container's approval that lets its posts go out (never an unknown status).
APPROVAL_CLEARED: frozenset[ApprovalStatus] = frozenset({"approved", "not_required"})


def _status_reader(vocabulary: Any, *, strict: bool) -> BeforeValidator:
    known = frozenset(get_args(vocabulary))

    def read(value: Any) -> Any:
        if isinstance(value, str) and value:
            return value if value in known else UNKNOWN
        # strict: a status of the wrong type is a wrong answer (the Literal refuses it)
        return value if strict and value is not None and value != "" else None

    return BeforeValidator(read)


# How a record (`records.py`) reads a status field: a value its vocabulary (a `statuses` Literal ending in "unknown") lacks reads as
# "unknown"; absent reads as None, and so does a value of the wrong type unless the field was
# always checked (`strict`: a wrong answer, refused).
ProjectStatusField = Annotated[ProjectStatus | None, _status_reader(ProjectStatus, strict=True)]
ContainerStatusField = Annotated[
    ContainerStatus | None, _status_reader(ContainerStatus, strict=True)
]
PostStatusField = Annotated[PostStatus | None, _status_reader(PostStatus, strict=True)]
ApprovalStatusField = Annotated[ApprovalStatus | None, _status_reader(ApprovalStatus, strict=False)]
InfluencerStatusField = Annotated[
    InfluencerStatus | None, _status_reader(InfluencerStatus, strict=False)
]
JobStatusField = Annotated[JobStatus | None, _status_reader(JobStatus, strict=False)]
IngestStatusField = Annotated[
    IngestStatus | Unknown | None, _status_reader(IngestStatus, strict=False)
]
InstallationStatusField = Annotated[
    InstallationStatus | None, _status_reader(InstallationStatus, strict=False)
]
SocialAccountStatusField = Annotated[
    SocialAccountStatus | None, _status_reader(SocialAccountStatus, strict=False)
]
OAuthStatusField = Annotated[
    OAuthStatusValue | None, _status_reader(OAuthStatusValue, strict=False)
]
GateStatusField = Annotated[GateStatus | None, _status_reader(GateStatus, strict=False)]
