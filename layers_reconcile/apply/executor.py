"""Apply: every customer converged at once, bounded by `parallelism`; one failure stops no other.

    report = await execute(client, workspace, options=ApplyOptions(...), on_event=show)

With `plan` (the plan just shown, or a saved plan file) only the customers that plan changes are
worked on; that is also where `--prune` archives come from (`make_plan(prune=True)` finds the
projects whose file is gone). A saved plan is verified first (`verify=True`): a customer whose
file or actual state changed since is refused as stale, the others go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager, suppress
from dataclasses import replace

from layers_reconcile.apirevision import Pin, RevisionMismatch, label
from layers_reconcile.apply.callback import Receivers
from layers_reconcile.apply.context import CustomerContext
from layers_reconcile.apply.customer import CustomerRun
from layers_reconcile.apply.events import (
    ApplyReport,
    CustomerFinished,
    CustomerOutcome,
    CustomerStarted,
    CustomerStatus,
    EventSink,
    StepFailed,
    StepFinished,
    StepStarted,
    ignore_events,
)
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.apply.publish import watch
from layers_reconcile.apply.recovery import StepError, failure_from
from layers_reconcile.apply.reserved import Keep
from layers_reconcile.apply.slot import Slot
from layers_reconcile.apply.steps import HANDLERS
from layers_reconcile.client import LayersClient
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.errors import ApiError, leaf_exception
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.model import Action, CustomerPlan, Plan, StepKind
from layers_reconcile.plan.observe import SharedActual, observe_shared
from layers_reconcile.plan.planner import WorkspaceLike, require_organizations, selected

Work = tuple[str, Loaded | None, CustomerPlan | None]  # a customer, its file and its plan


async def execute(
    client: LayersClient,
    workspace: WorkspaceLike,
    *,
    options: ApplyOptions,
    on_event: EventSink = ignore_events,
    plan: Plan | None = None,
    verify: bool = False,
    customers: Collection[str] = (),
) -> ApplyReport:
    started = options.clock()
    settings = workspace.settings
    options = replace(options, workspace=options.workspace or settings.workspace)
    work = _work(workspace, plan, customers)
    shared = await _shared_for(client, work, plan, options, settings)
    semaphore = asyncio.Semaphore(max(1, options.parallelism))
    deadline = options.ends_at()

    async def one(
        ext: str, loaded_customer: Loaded | None, cp: CustomerPlan | None
    ) -> CustomerOutcome:
        ctx = CustomerContext(
            api=client,
            customer=ext,
            options=options,
            emit=on_event,
            slot=Slot(semaphore),
            loaded=loaded_customer,
            project_id=cp.project_id if cp else None,
            receivers=receivers,
        )
        run = CustomerRun(ctx=ctx, settings=settings, shared=shared)
        try:
            return await _customer(run, cp, verify=verify, deadline=deadline)
        finally:
            await receivers.release(ext)

    async with Receivers() as receivers, asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(*item)) for item in work]
    outcomes = [t.result() for t in tasks]
    return ApplyReport(outcomes=outcomes, elapsed=options.clock() - started)


def _work(workspace: WorkspaceLike, plan: Plan | None, customers: Collection[str]) -> list[Work]:
    """The customers to work on: every selected one, or, with a plan, those it changes."""
    loaded = {c.spec.customerExternalId: c for c in selected(workspace, customers)}
    if plan is None:
        return [(ext, c, None) for ext, c in loaded.items()]
    work: list[Work] = []
    for cp in plan.customers:
        wanted = not customers or cp.customer_external_id in customers
        if (cp.steps or cp.conflict or cp.not_planned) and wanted:
            work.append((cp.customer_external_id, loaded.get(cp.customer_external_id), cp))
    return work


async def _shared_for(
    client: LayersClient,
    work: list[Work],
    plan: Plan | None,
    options: ApplyOptions,
    settings: WorkspaceSpec,
) -> SharedActual:
    """What every customer's run reads once (the key's tier and scopes, the installations,
    the organizations), and the refusal of a saved plan made against the other API revision
    or of customers in organizations the key cannot reach."""
    # A saved plan names its API revision: checking it costs the whoami, before any write.
    needs_shared = any(c is not None for _, c, _ in work) or (
        plan is not None and plan.api_revision is not None
    )
    github = any(c is not None and c.spec.github is not None for _, c, _ in work)
    # Without a GitHub step in the plan, a key lacking github:admin leaves the installations
    # unchecked, as in plan: apply asks only for the scopes of the steps it carries out.
    no_github_step = plan is not None and not any(
        s.kind is StepKind.GITHUB for _, _, cp in work if cp is not None for s in cp.steps
    )
    in_children = [c for _, c, _ in work if c is not None and c.spec.organization is not None]
    shared = (
        await observe_shared(
            client,
            github=github,
            read_only=no_github_step,
            revision=options.revision or Pin(settings.apiRevision),
            organizations=bool(in_children),
        )
        if needs_shared
        else SharedActual()
    )
    if plan is not None and plan.api_revision not in (None, shared.revision):
        raise RevisionMismatch(
            f"the saved plan was made against Rev {label(plan.api_revision)} of the Layers API, "
            f"but the API now answers in Rev {label(shared.revision)}; nothing was written. "
            "Make the plan again against it (`plan --out`)"
        )
    require_organizations(in_children, shared)
    return shared


async def _customer(
    run: CustomerRun, cp: CustomerPlan | None, *, verify: bool, deadline: float | None
) -> CustomerOutcome:
    ctx = run.ctx
    clock = ctx.options.clock
    started = clock()
    ctx.emit(CustomerStarted(ctx.customer))
    try:
        async with ctx.slot.working(), _record_written(ctx):
            outcome = await _within(run, cp, verify=verify, deadline=deadline)
    except Exception as exc:  # reported per customer; the others go on
        leaf = leaf_exception(exc)
        address = f"{ctx.customer}/project" if ctx.project_id is None else ctx.customer
        failure = failure_from(address, leaf)
        ctx.emit(StepFailed(ctx.customer, failure))
        outcome = run.result
        outcome.status, outcome.failure = CustomerStatus.FAILED, failure
        outcome.project_id = ctx.project_id
    outcome.elapsed = clock() - started
    ctx.emit(CustomerFinished(outcome))
    return outcome


@asynccontextmanager
async def _record_written(ctx: CustomerContext) -> AsyncIterator[None]:
    """Whatever the customer's run recorded is written when it ends (converged, waiting or
    failed), outside the run's --timeout: a fact it needs to converge is never left unwritten."""
    try:
        yield
    except Exception:
        with suppress(ApiError):  # the run's own failure is the one to report
            await ctx.flush_reserved(Keep.RUN)
        raise
    await ctx.flush_reserved(Keep.RUN)


async def _within(
    run: CustomerRun, cp: CustomerPlan | None, *, verify: bool, deadline: float | None
) -> CustomerOutcome:
    ctx = run.ctx
    async with asyncio.timeout_at(_loop_deadline(deadline, ctx.options.clock())):
        if cp is not None and cp.not_planned is not None:
            raise StepError(
                cp.not_planned.text(),
                recovery="apply again: the plan could not read this customer, so nothing "
                "was done for it",
            )
        if ctx.loaded is None:
            return await _orphan(run, cp)
        outcome = await run.converge(None if verify else cp, cp if verify else None)
        if outcome.status is CustomerStatus.CONVERGED and ctx.options.wait_for_publish:
            outcome.published, failure = await watch(ctx)
            if failure is not None:
                outcome.status, outcome.failure = CustomerStatus.FAILED, failure
        return outcome


def _loop_deadline(deadline: float | None, now: float) -> float | None:
    """The run's deadline (on the options' clock) as a time of the event loop."""
    if deadline is None:
        return None
    return asyncio.get_running_loop().time() + (deadline - now)


async def _orphan(run: CustomerRun, cp: CustomerPlan | None) -> CustomerOutcome:
    """A customer whose file is gone (--prune): only its planned archive step runs."""
    ctx = run.ctx
    outcome = run.result
    steps = cp.steps if cp else []
    needs_file = [s.address for s in steps if s.action is not Action.ARCHIVE]
    if needs_file:
        # A saved plan whose customer file was deleted since (or is not found under a moved
        # workspace): its steps need the file, so the plan is stale for this customer.
        return run._finish(CustomerStatus.STALE, stale_addresses=needs_file)
    allowed = ctx.options.reviewed
    held = [f"{s.address} {s.action}" for s in steps if allowed is not None and not allowed(s)]
    if held:
        return run._finish(CustomerStatus.NOT_REVIEWED, not_reviewed=held)
    for step in steps:
        handler = HANDLERS[(step.kind, step.action)]
        ctx.emit(StepStarted(ctx.customer, step.address, step.action, step.reason or ""))
        result = await handler(ctx, step)
        outcome.done.append(f"{step.address} {step.action}")
        ctx.emit(StepFinished(ctx.customer, step.address, step.action, result.detail))
    outcome.status = CustomerStatus.CONVERGED
    outcome.project_id = ctx.project_id
    return outcome
