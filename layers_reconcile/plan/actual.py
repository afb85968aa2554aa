"""Observed state: what plan read from the API, as the pure diff consumes it.

These types live apart from `plan.observe` (which talks to the client) so that the diff modules
import no client, httpx or asyncio (an import-linter contract in pyproject.toml checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.records import (
    ApprovalPolicy,
    Container,
    Influencer,
    Installation,
    Organization,
    Project,
    ReservedRecord,
    ScheduledPost,
    SocialAccount,
    Whoami,
)

JsonDict = dict[str, Any]
# A row read from the API (a wire record or any JSON object): read, never written.
Row = Mapping[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class SharedActual(_Model):
    """Facts read once per run and shared by every customer."""

    whoami: Whoami = Field(default_factory=Whoami)
    # The API revision this run speaks, decided from `whoami` (`apirevision.settle`).
    revision: ApiRevision = "a"
    # None: not read (no customer manages `github`); []: none registered.
    github_installations: list[Installation] | None = None
    # Why the installations could not be read (a read-only key lacks github:admin).
    github_unchecked: str | None = None
    # Every direct child organization (Rev B), read once; None: no customer has `organization`.
    organizations: list[Organization] | None = None


class ActualCustomer(_Model):
    """What one customer looks like in the API. `None` means "not read", `[]` "read, empty"."""

    customer_external_id: str
    # The API's rows, typed by the wire records (validated by the client when read, not again).
    project: Project | None = None  # GET /v1/projects/:id
    # Other projects found with the same customerExternalId (ids), besides `project`.
    other_project_ids: list[str] = Field(default_factory=list)
    # The approval policy in the file's words (Rev B's review policy mapped by `revb`).
    approval_policy: ApprovalPolicy | None = None
    # Parsed records (a dict given here is parsed; the client's models pass as they are).
    github_installations: list[Installation] | None = None
    github_unchecked: str | None = None
    influencers: list[Influencer] | None = None
    social_accounts: list[SocialAccount] | None = None
    content: list[Container] | None = None
    scheduled_posts: list[ScheduledPost] | None = None
    # A customer with `organization:` (Rev B). `organization`: its child (stamped by this
    # workspace, or by the one --take-over names); None with `project` set: the project is
    # still flat in the parent (a migrate). `foreign_organization`: a child naming this customer
    # stamped by another workspace (a conflict). `credit_config`: the child's, when read.
    # `transfers_done`: transfer id → credits of the allocations the child's ledger (or the
    # tool's record of it) holds; None: not read.
    organization: Organization | None = None
    # The project was found flat in the parent though the customer has a child (a migrate).
    project_in_parent: bool = False
    foreign_organization: Organization | None = None
    unstamped_organizations: list[str] = Field(default_factory=list)
    # More children stamped by this workspace name the customer than `organization` (a conflict).
    duplicate_organizations: list[str] = Field(default_factory=list)
    # A flat customer (no `organization:`) with no project in the parent whose child
    # organization, stamped by this workspace, still exists (the block was removed): a conflict,
    # never a second project in the parent.
    left_child: Organization | None = None
    # The customer's archived children stamped by this workspace (a new child's keys derive
    # from their ids: `ids.child_round`); None: not read (the child apply knows was read alone).
    archived_organizations: list[Organization] | None = None
    # The child is suspended and the API's kill switch answers the parent key inside it too:
    # nothing inside (project, content, posts) could be read; only the child is planned.
    held: bool = False
    credit_config: JsonDict | None = None
    transfers_done: dict[str, int] | None = None

    @property
    def project_id(self) -> str | None:
        return None if self.project is None else self.project.id

    @property
    def reserved(self) -> ReservedRecord:
        """The tool's own record in the project's metadata (docs/design.md)."""
        return reserved_of(self.project) or {}


def reserved_of(project: Project | None) -> ReservedRecord | None:
    """The tool's own record in a project row's metadata (None: none, or not an object)."""
    meta = (project.metadata if project else None) or {}
    value = meta.get(RESERVED_KEY)
    return cast(ReservedRecord, value) if isinstance(value, dict) else None
