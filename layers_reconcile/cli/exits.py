"""The one owner of exit codes: what each code means, and the code of a plan, a report or an error.

As black's `Report` owns its return code, every command ends with `ctx.exit(ExitCode....)` or one
of the mappings below; no command computes a number of its own.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `main` imports this module: it stays light
    from layers_reconcile.apply.events import ApplyReport
    from layers_reconcile.plan.model import Plan


class ExitCode(IntEnum):
    OK = 0  # done, in sync, converged
    ERROR = 1  # an error, a failed or refused customer, a conflict, a usage error
    CHANGES = 2  # plan --detailed-exitcode: apply would change something
    WAITING = 3  # only people must act (an install, a consent, an approval)
    INTERRUPTED = 130  # Ctrl-C


class OutputFailed(Exception):
    """Standard output or error could not be written (a full disk): exit 1 with one line. The
    reader of a pipe going away (EPIPE) stays click's to handle."""


def of_plan(plan: Plan, *, detailed: bool) -> ExitCode:
    """1 a conflict (apply would refuse it) or a customer not planned (its state could not be
    read); with --detailed-exitcode 2 something to change
    (steps or orphans), 3 only people must act, 0 in sync."""
    if plan.conflicts or plan.not_planned:
        return ExitCode.ERROR
    if not detailed:
        return ExitCode.OK
    if plan.summary.orphans or _runnable_steps(plan):
        return ExitCode.CHANGES
    return ExitCode.WAITING if plan.summary.waits_on_people else ExitCode.OK


def _runnable_steps(plan: Plan) -> bool:
    """Whether apply has a step it can carry out now: steps that wait for a consent, an install
    or an approval (a post on an account not yet connected) leave a drift job at 3, not 2."""
    from layers_reconcile.plan.stages import held_by_people

    for customer in plan.customers:
        held = {id(s) for s in held_by_people(customer.customer_external_id, customer.steps)}
        if any(id(s) not in held for s in customer.steps):
            return True
    return False


def of_report(report: ApplyReport) -> ExitCode:
    """1 a customer failed or was refused as stale (the others went on), apply --reviewed
    held back a step the reviewed plan lacks, or --max-archives held orphans back for a later
    run; 3 waiting on people."""
    if report.failed or report.not_reviewed or report.held_orphans:
        return ExitCode.ERROR
    if report.waiting:
        return ExitCode.WAITING
    return ExitCode.OK


def of_error(exc: BaseException) -> ExitCode:
    return ExitCode.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else ExitCode.ERROR
