"""One handler per (kind, action) of the step catalogue (docs/design.md), one module per stage.

Each handler is given its step's target as the model of the step's kind (`plan.targets`); the
kind a handler runs for is its target model's.
"""

from __future__ import annotations

from layers_reconcile.apply.steps import (
    approval,
    brand,
    content,
    github,
    influencer,
    ingest,
    organization,
    project,
    schedule,
    social,
)
from layers_reconcile.apply.steps.base import Handler, StepHandler, StepResult
from layers_reconcile.plan.model import Action, StepKind
from layers_reconcile.plan.targets import (
    ApprovalTarget,
    BrandTarget,
    ContentApprovalTarget,
    ContentTarget,
    GithubTarget,
    InfluencerTarget,
    IngestTarget,
    OrganizationTarget,
    ProjectTarget,
    ScheduleTarget,
    SocialTarget,
    TransferTarget,
)

_ALL: tuple[Handler, ...] = (
    StepHandler(OrganizationTarget, Action.CREATE, organization.create),
    StepHandler(OrganizationTarget, Action.MIGRATE, organization.migrate),
    StepHandler(OrganizationTarget, Action.ADOPT, organization.adopt),
    StepHandler(OrganizationTarget, Action.UPDATE, organization.update),
    StepHandler(OrganizationTarget, Action.SUSPEND, organization.suspend),
    StepHandler(OrganizationTarget, Action.RESUME, organization.resume),
    StepHandler(OrganizationTarget, Action.WAIT_ON_PERSON, organization.wait_for_resume),
    StepHandler(OrganizationTarget, Action.ARCHIVE, organization.archive),
    StepHandler(TransferTarget, Action.ALLOCATE, organization.allocate),
    StepHandler(ProjectTarget, Action.CREATE, project.create),
    StepHandler(ProjectTarget, Action.ADOPT, project.adopt),
    StepHandler(ProjectTarget, Action.UPDATE, project.update),
    StepHandler(ProjectTarget, Action.ARCHIVE, project.archive),
    StepHandler(ApprovalTarget, Action.UPDATE, approval.update_policy),
    StepHandler(GithubTarget, Action.REGISTER, github.register),
    StepHandler(GithubTarget, Action.WAIT_ON_PERSON, github.wait_for_install),
    StepHandler(IngestTarget, Action.RUN_JOB, ingest.run),
    StepHandler(BrandTarget, Action.UPDATE, brand.update),
    StepHandler(InfluencerTarget, Action.SELECT, influencer.select),
    StepHandler(InfluencerTarget, Action.RUN_JOB, influencer.create),
    StepHandler(SocialTarget, Action.WAIT_ON_PERSON, social.wait_for_consent),
    StepHandler(ContentTarget, Action.RUN_JOB, content.run),
    StepHandler(ContentTarget, Action.CANCEL, content.cancel),
    StepHandler(ContentApprovalTarget, Action.APPROVE, approval.approve),
    StepHandler(ContentApprovalTarget, Action.WAIT_ON_PERSON, approval.wait_for_approval),
    StepHandler(ScheduleTarget, Action.SCHEDULE, schedule.schedule),
    StepHandler(ScheduleTarget, Action.RESCHEDULE, schedule.reschedule),
    StepHandler(ScheduleTarget, Action.CANCEL, schedule.cancel),
)
HANDLERS: dict[tuple[StepKind, Action], Handler] = {(h.kind, h.action): h for h in _ALL}

__all__ = ["HANDLERS", "Handler", "StepResult"]
