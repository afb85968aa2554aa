"""The working state of one customer's diff, shared by the stage functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.fields import fingerprint
from layers_reconcile.plan.ignore import set_aside
from layers_reconcile.plan.model import Action, Change, Step
from layers_reconcile.plan.orgs import project_of
from layers_reconcile.plan.targets import StepTarget
from layers_reconcile.records import Project, ReservedRecord


class Loaded(Protocol):
    """What the diff needs of `config.LoadedCustomer`."""

    @property
    def spec(self) -> CustomerSpec: ...

    @property
    def path(self) -> Path | str | None: ...

    @property
    def fingerprint(self) -> str: ...


@dataclass
class Ctx:
    """Everything one customer's diff accumulates while walking the stages."""

    spec: CustomerSpec
    actual: ActualCustomer
    settings: WorkspaceSpec
    now: datetime
    # The workspace whose stamped projects may be adopted (--take-over).
    take_over: str | None = None
    # The API revision the run speaks: the stages whose routes or fields differ read it.
    revision: ApiRevision = "a"
    steps: list[Step] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    ingest_pending: bool = False
    # socialAccountId of the connected account per platform (None: known after apply)
    accounts: dict[str, str | None] = field(default_factory=dict)
    # Differences in fields the file's `ignore:` names (plan/ignore.py): shown, never planned.
    ignored: list[Change] = field(default_factory=list)
    _reserved: ReservedRecord = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._reserved = self.actual.reserved

    @property
    def ext(self) -> str:
        return self.spec.customerExternalId

    @property
    def project(self) -> Project | None:
        return self.actual.project

    @property
    def pid(self) -> str | None:
        """The customer's project: the one read, else, in a child whose kill switch kept it
        from being read, the one the child's metadata records."""
        actual = self.actual
        if actual.project is None and actual.held and actual.organization is not None:
            return project_of(actual.organization)
        return actual.project_id

    @property
    def reserved(self) -> ReservedRecord:
        """The tool's record in the project's metadata (read once: the diff never changes
        `actual`)."""
        return self._reserved

    def addr(self, *parts: str) -> str:
        return "/".join((self.ext, *parts))

    def seen(self, address: str, facts: Any) -> None:
        self.fingerprints[address] = fingerprint(facts)

    def keep(self, address: str, changes: list[Change]) -> list[Change]:
        """The changes to an existing object that apply makes; those `ignore:` covers are kept
        aside in `ignored`."""
        kept, ignored = set_aside(self.ext, address, changes, self.spec.ignore or ())
        self.ignored += ignored
        return kept

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def step(self, address: str, action: Action, target: StepTarget, **fields: Any) -> Step:
        """A validated step of this customer, of the kind its target is (`plan.targets`)."""
        return Step(address=address, kind=target.KIND, action=action, target=target, **fields)


def requires_approval(ctx: Ctx) -> bool:
    """Whether new containers start `pending`, once this apply has set the policy."""
    if ctx.spec.approval is not None and ctx.spec.approval.requiresApproval is not None:
        return ctx.spec.approval.requiresApproval
    project = ctx.project
    for policy in (ctx.actual.approval_policy, project.approval_policy if project else None):
        if policy is not None and policy.requires_approval is not None:
            return policy.requires_approval
    return bool(project and project.requires_approval)
