"""Typed wire records: the API's answers and the tool's reserved metadata, described once.

Every answer is a frozen pydantic record (`Model`) read by attribute; the list page and the
tool's own reserved record stay TypedDicts. The client validates every answer it hands out
against these types (pydantic TypeAdapter, `client/records.py`): only the fields the reconciler
relies on are declared, everything else the API sends is kept (`extra="allow"`), so a newer API
that adds fields still validates.

One module per concept, all named here (`records.Project`): `base` (the `Model` and its lenient
field types), `projects` (a project, the key, installations, social accounts, influencers,
policies), `content` (jobs, containers, scheduled posts), `organizations` (Rev B's children and
credits), `reserved` (the tool's own record in `project.metadata`).

Neutral: imports nothing of the project but `statuses`, so the pure diff may use it.
"""

from __future__ import annotations

from layers_reconcile.records.base import (
    Amount,
    Answer,
    AnyObject,
    Format,
    Int,
    JsonObject,
    Model,
    Number,
    Object,
    Page,
    Str,
    Strings,
    Text,
    sent,
)
from layers_reconcile.records.content import (
    Container,
    IngestRun,
    IngestState,
    Job,
    JobError,
    JobResult,
    PostError,
    ScheduleAnswer,
    ScheduledPost,
    ScheduleIntent,
)
from layers_reconcile.records.organizations import (
    Archived,
    CreditConfig,
    CreditEvent,
    CreditLimits,
    Migration,
    MovedTo,
    Organization,
    OrganizationSummary,
    Transfer,
)
from layers_reconcile.records.projects import (
    ApprovalPolicy,
    ConsentUrl,
    Influencer,
    Installation,
    InstallationAnswer,
    OAuthStatus,
    Project,
    ReviewPolicy,
    SocialAccount,
    Whoami,
)
from layers_reconcile.records.reserved import (
    ContentRecord,
    IngestRecord,
    LinkRecord,
    ReservedRecord,
)

__all__ = [
    "Amount",
    "Answer",
    "AnyObject",
    "ApprovalPolicy",
    "Archived",
    "ConsentUrl",
    "Container",
    "ContentRecord",
    "CreditConfig",
    "CreditEvent",
    "CreditLimits",
    "Format",
    "Influencer",
    "IngestRecord",
    "IngestRun",
    "IngestState",
    "Installation",
    "InstallationAnswer",
    "Int",
    "Job",
    "JobError",
    "JobResult",
    "JsonObject",
    "LinkRecord",
    "Migration",
    "Model",
    "MovedTo",
    "Number",
    "OAuthStatus",
    "Object",
    "Organization",
    "OrganizationSummary",
    "Page",
    "PostError",
    "Project",
    "ReservedRecord",
    "ReviewPolicy",
    "ScheduleAnswer",
    "ScheduleIntent",
    "ScheduledPost",
    "SocialAccount",
    "Str",
    "Strings",
    "Text",
    "Transfer",
    "Whoami",
    "sent",
]
