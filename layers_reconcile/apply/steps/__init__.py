"""One handler per (kind, action) of the step catalogue (docs/design.md), one module per stage."""

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
from layers_reconcile.apply.steps.base import Handler, StepResult
from layers_reconcile.plan.model import Action, StepKind

HANDLERS: dict[tuple[StepKind, Action], Handler] = {
    (StepKind.ORGANIZATION, Action.CREATE): organization.create,
    (StepKind.ORGANIZATION, Action.MIGRATE): organization.migrate,
    (StepKind.ORGANIZATION, Action.ADOPT): organization.adopt,
    (StepKind.ORGANIZATION, Action.UPDATE): organization.update,
    (StepKind.ORGANIZATION, Action.SUSPEND): organization.suspend,
    (StepKind.ORGANIZATION, Action.RESUME): organization.resume,
    (StepKind.ORGANIZATION, Action.ARCHIVE): organization.archive,
    (StepKind.TRANSFER, Action.ALLOCATE): organization.allocate,
    (StepKind.PROJECT, Action.CREATE): project.create,
    (StepKind.PROJECT, Action.ADOPT): project.adopt,
    (StepKind.PROJECT, Action.UPDATE): project.update,
    (StepKind.PROJECT, Action.ARCHIVE): project.archive,
    (StepKind.APPROVAL, Action.UPDATE): approval.update_policy,
    (StepKind.GITHUB, Action.REGISTER): github.register,
    (StepKind.GITHUB, Action.WAIT_ON_PERSON): github.wait_for_install,
    (StepKind.INGEST, Action.RUN_JOB): ingest.run,
    (StepKind.BRAND, Action.UPDATE): brand.update,
    (StepKind.INFLUENCER, Action.SELECT): influencer.select,
    (StepKind.INFLUENCER, Action.RUN_JOB): influencer.create,
    (StepKind.SOCIAL, Action.WAIT_ON_PERSON): social.wait_for_consent,
    (StepKind.CONTENT, Action.RUN_JOB): content.run,
    (StepKind.CONTENT, Action.CANCEL): content.cancel,
    (StepKind.CONTENT_APPROVAL, Action.APPROVE): approval.approve,
    (StepKind.CONTENT_APPROVAL, Action.WAIT_ON_PERSON): approval.wait_for_approval,
    (StepKind.SCHEDULE, Action.SCHEDULE): schedule.schedule,
    (StepKind.SCHEDULE, Action.RESCHEDULE): schedule.reschedule,
    (StepKind.SCHEDULE, Action.CANCEL): schedule.cancel,
}

__all__ = ["HANDLERS", "Handler", "StepResult"]
