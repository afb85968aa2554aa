"""One customer's convergence: observe → diff → execute stage by stage → observe again …

Stages run one after another in the order of PRODUCT.md §6. The loop goes on to the next stage
of the same diff while every step there has what its handler needs (handlers work from the file,
their target and the reserved key, so "known after apply" values such as the project id or the
pinned influencer are resolved as they go); it reads actual state again when a step needs a
value only an observation can give (the containers a generation made, before approving and
scheduling them), and at the end to confirm convergence. Every run starts with an observation,
so a rerun after a crash starts exactly where the last one stopped.

Person-gated steps open a gate (URL shown) and the loop carries on with whatever does not depend
on them; when only gates are left it waits up to --wait-for-people, then reports the customer as
waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from layers_reconcile.apply.context import CustomerContext, Gate, GateState
from layers_reconcile.apply.events import (
    CustomerOutcome,
    CustomerStatus,
    Failure,
    PersonDone,
    StepFailed,
    StepFinished,
    StepStarted,
    WaitingOnPerson,
)
from layers_reconcile.apply.recovery import StepError, failure_from, is_transient
from layers_reconcile.apply.reserved import Keep
from layers_reconcile.apply.steps import HANDLERS, StepResult
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.errors import ApiError, JobError, NotFoundError, leaf_exception
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.diff import diff_customer
from layers_reconcile.plan.model import Action, CustomerPlan, Step, StepKind
from layers_reconcile.plan.observe import SharedActual, observe_customer
from layers_reconcile.plan.stages import held_back, stage_of
from layers_reconcile.plan.targets import ContentApprovalTarget, ScheduleTarget
from layers_reconcile.records import Project

MAX_REPEATS = 3  # the same step executed this often in one run is not converging
TRANSIENT_RETRIES = 4  # rounds a customer may repeat after the API failed or vanished
TRANSIENT_BACKOFF = 1.0  # seconds before the first repeat; doubles each time


@dataclass
class CustomerRun:
    ctx: CustomerContext
    settings: WorkspaceSpec
    shared: SharedActual
    gates: dict[str, Gate] = field(default_factory=dict)
    outcome: CustomerOutcome | None = None
    _repeats: Counter[str] = field(default_factory=Counter)
    _transient_left: int = TRANSIENT_RETRIES

    @property
    def customer(self) -> str:
        return self.ctx.customer

    @property
    def loaded(self) -> Loaded:
        assert self.ctx.loaded is not None
        return self.ctx.loaded

    def _finish(self, status: CustomerStatus, **kw: object) -> CustomerOutcome:
        outcome = self.result
        outcome.status = status
        outcome.project_id = self.ctx.project_id
        for name, value in kw.items():
            setattr(outcome, name, value)
        return outcome

    @property
    def result(self) -> CustomerOutcome:
        if self.outcome is None:
            self.outcome = CustomerOutcome(customer=self.customer, status=CustomerStatus.FAILED)
        return self.outcome

    # -- the loop --------------------------------------------------------------------------

    async def observe(self) -> CustomerPlan:
        """Read actual state and diff; the API failing now and then does not end the customer."""
        while True:
            try:
                return await self._observe_once()
            except ApiError as exc:
                if not is_transient(exc) or not await self._pause_after_transient():
                    raise

    async def _pause_after_transient(self) -> bool:
        """Back off before repeating a round; False once the budget of repeats is spent."""
        if self._transient_left <= 0:
            return False
        attempt = TRANSIENT_RETRIES - self._transient_left
        self._transient_left -= 1
        async with self.ctx.slot.waiting():
            await self.ctx.options.sleep(TRANSIENT_BACKOFF * 2**attempt)
        return True

    async def _observe_once(self) -> CustomerPlan:
        actual = await observe_customer(
            self.ctx.control,
            self.loaded.spec,
            self.shared,
            listed=await self._known_row(),
            workspace=self.ctx.workspace,
            take_over=self.ctx.options.take_over,
            organization_id=self.ctx.organization_id,
        )
        if actual.organization is not None and not actual.project_in_parent:
            self.ctx.enter(actual.organization.id)
        if actual.archived_organizations is not None:  # read (not only the known child)
            self.ctx.archived_children = [c.id for c in actual.archived_organizations]
        stored = actual.project
        # What this run recorded but has not written yet counts as recorded (no step twice).
        actual.project = self.ctx.as_known(stored)
        plan = diff_customer(
            self.loaded,
            actual,
            self.settings,
            now=self.ctx.options.now(),
            take_over=self.ctx.options.take_over,
            revision=self.shared.revision,
        )
        if plan.project_id:
            self.ctx.project_id = plan.project_id
            self.ctx.known_project = stored
        return plan

    async def _known_row(self) -> list[Project] | None:
        """Observing again, the project this run found or made is read by its id: one read,
        where a lookup by customerExternalId is two (the list item lacks the metadata). None:
        look it up (no project yet, or it is gone or no longer this customer's). A customer in
        its own organization is observed inside it, as `observe_customer` finds it."""
        if not self.ctx.project_id or self.loaded.spec.organization is not None:
            return None
        try:
            row = await self.ctx.api.get_project(self.ctx.project_id)
        except NotFoundError:
            return None
        return [row] if row.customer_external_id == self.customer else None

    async def converge(
        self, first: CustomerPlan | None, saved: CustomerPlan | None
    ) -> CustomerOutcome:
        plan = first
        if plan is None:
            plan = await self.observe()
            if saved is not None:
                stale = stale_addresses(saved, plan)
                if stale:
                    return self._finish(CustomerStatus.STALE, stale_addresses=stale)
        elif plan.project_id:
            self.ctx.project_id = plan.project_id
        if first is not None:
            self.ctx.archived_children = list(first.archived_organization_ids or [])
        if first is not None and first.organization_id and not _migrating(first):
            self.ctx.enter(first.organization_id)
        done: set[str] = set()  # steps of `plan` executed since it was observed
        touched: list[Step] = []  # what changed since the last observation
        for _ in range(self.ctx.options.max_rounds):
            refuse_conflict(plan)
            if not plan.steps:
                return self._finish(CustomerStatus.CONVERGED)
            # Open gates stay in: they hold back what depends on them.
            left = [s for s in plan.steps if _key(s) not in done or s.address in self.gates]
            self._hold_unreviewed(left)
            runnable = self._actionable(left)
            if not runnable:
                if touched:  # the rest needs values only known after what just ran
                    plan, touched = await self._refresh(touched), []
                    done.clear()
                    continue
                if not self.gates and self.result.not_reviewed:
                    return self._finish(CustomerStatus.NOT_REVIEWED)
                if not self.gates:
                    names = ", ".join(s.address for s in plan.steps)
                    raise StepError(f"nothing can run, yet steps remain: {names}")
                if not await self._wait_for_people():
                    waits = [g.wait for g in self.gates.values()]
                    return self._finish(CustomerStatus.WAITING, waits=waits)
                plan = await self._refresh(plan.steps)
                done.clear()
                continue
            batch = _next_batch(runnable)
            results = await self._execute(batch)
            await self.ctx.flush_reserved(Keep.STAGE)  # one record write per stage, at most
            failures = [r for r in results if isinstance(r, Failure)]
            if failures:
                if all(f.retryable for f in failures) and await self._pause_after_transient():
                    plan, touched = await self._refresh([*touched, *batch]), []
                    done.clear()  # every step is safe to repeat
                    continue
                return self._finish(CustomerStatus.FAILED, failure=failures[0])
            done.update(_key(s) for s in batch)
            touched += [s for s, r in zip(batch, results, strict=True) if not _gate_only(r)]
        raise StepError(
            f"not converged after {self.ctx.options.max_rounds} rounds",
            recovery="apply again; report it if it repeats",
        )

    async def _refresh(self, touched: Iterable[Step]) -> CustomerPlan:
        if any(s.kind is StepKind.GITHUB for s in touched):
            try:
                installations = await self.ctx.api.installations()
            except ApiError as exc:
                if not is_transient(exc):
                    raise
            else:
                update = {"github_installations": installations}
                self.shared = self.shared.model_copy(update=update)
        return await self.observe()

    def _hold_unreviewed(self, steps: list[Step]) -> None:
        """apply --reviewed: a step the reviewed plan lacks is held back (and what needs it)."""
        allowed = self.ctx.options.reviewed
        if allowed is None:
            return
        held = self.result.not_reviewed
        held += [k for s in steps if not allowed(s) and (k := _key(s)) not in held]

    # -- which steps can run now -----------------------------------------------------------

    def _actionable(self, steps: list[Step]) -> list[Step]:
        """The steps none of whose prerequisites (plan/stages.py) is still unfinished."""
        free, _ = held_back(
            self.customer,
            steps,
            lambda s: (
                s.address in self.gates or _key(s) in self.result.not_reviewed or not ready(s)
            ),
        )
        return free

    # -- running steps ---------------------------------------------------------------------

    async def _execute(self, batch: list[Step]) -> list[StepResult | Failure]:
        # One after the other: adopt, then update; the child, then its config; each transfer
        # and its record on the child.
        if batch[0].kind in (StepKind.PROJECT, StepKind.ORGANIZATION, StepKind.TRANSFER):
            return [await self._run_step(s) for s in batch]
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._run_step(s)) for s in batch]
        return [t.result() for t in tasks]

    async def _run_step(self, step: Step) -> StepResult | Failure:
        handler = HANDLERS.get((step.kind, step.action))
        emit = self.ctx.emit
        done_key = f"{step.address} {step.action}"
        if self._repeats[done_key] >= MAX_REPEATS:
            failure = Failure(
                address=step.address,
                message=f"{step.action} keeps coming back after being done; not converging",
                recovery="apply again; report it if it repeats",
            )
            emit(StepFailed(self.customer, failure))
            return failure
        if handler is None:
            failure = Failure(step.address, f"no handler for {step.kind}/{step.action}")
            emit(StepFailed(self.customer, failure))
            return failure
        emit(StepStarted(self.customer, step.address, step.action, step.reason or ""))
        try:
            result = await handler(self.ctx, step)
        except Exception as exc:  # every failure becomes a report, never a crash of the run
            failure = await self._failure(step, leaf_exception(exc))
            emit(StepFailed(self.customer, failure))
            return failure
        self._repeats[done_key] += 1
        if result.gate is not None:
            self.gates[step.address] = result.gate
            emit(WaitingOnPerson(self.customer, result.gate.wait))
        else:
            self.result.done.append(f"{step.address} {step.action}")
            emit(StepFinished(self.customer, step.address, step.action, result.detail))
        return result

    async def _failure(self, step: Step, exc: BaseException) -> Failure:
        failure = failure_from(step.address, exc, repo=self._repo())
        if isinstance(exc, JobError) and failure.request_id is None:
            with contextlib.suppress(ApiError):  # a requestId to quote is nice, not needed
                rid = await self.ctx.api.job_request_id(exc.job_id)
                failure = dataclasses.replace(failure, request_id=rid)
        return failure

    def _repo(self) -> str | None:
        github = self.loaded.spec.github if self.ctx.loaded is not None else None
        return github.repo if github else None

    # -- people ----------------------------------------------------------------------------

    async def _wait_for_people(self) -> bool:
        """Check the open gates until one resolves (True) or every deadline has passed (False)."""
        interval = max(0.05, self.ctx.options.person_poll_interval)
        async with self.ctx.slot.waiting():
            while True:
                resolved = False
                for address, gate in list(self.gates.items()):
                    try:
                        check = await gate.check()
                    except ApiError as exc:
                        if not is_transient(exc):
                            raise
                        continue  # ask again at the next check
                    if check.state is GateState.PENDING:
                        continue
                    del self.gates[address]
                    resolved = True
                    if check.state is GateState.FAILED:
                        raise StepError(check.detail or f"{address}: refused by the person")
                    if check.state is GateState.DONE:
                        self.ctx.emit(PersonDone(self.customer, address, check.detail))
                if resolved:
                    return True
                now = self.ctx.options.clock()
                latest = max(g.deadline for g in self.gates.values())
                if now >= latest:
                    return False
                await self.ctx.options.sleep(min(interval, latest - now))


def refuse_conflict(plan: CustomerPlan) -> None:
    """Another workspace manages this customer's project: never touch it without --take-over."""
    if plan.conflict is not None:
        raise StepError(
            plan.conflict.message.split("; ")[0] + "; refused",
            recovery=plan.conflict.recovery
            or f"remove the file from one of the workspaces, or apply with "
            f"`--take-over {plan.conflict.workspace}`",
        )


def ready(step: Step) -> bool:
    """Whether the step's handler has what it needs, or a value is only known once the steps
    before it ran and actual state has been read again (then it waits for that read)."""
    target = step.target
    if isinstance(target, ContentApprovalTarget):
        return bool(target.containerIds)
    if isinstance(target, ScheduleTarget) and step.action is Action.SCHEDULE:
        return bool(target.containerId and target.postId)
    return True


def _migrating(plan: CustomerPlan) -> bool:
    """The customer's project is still flat in the parent: it is read there until it moves."""
    return any(s.action is Action.MIGRATE for s in plan.steps)


def _next_batch(runnable: list[Step]) -> list[Step]:
    """The earliest stage, plus every gate that can open already: people get their URLs at
    once and act while the jobs run."""
    stage = min(stage_of(s) for s in runnable)
    return [s for s in runnable if stage_of(s) == stage or s.action is Action.WAIT_ON_PERSON]


def _key(step: Step) -> str:
    return f"{step.address} {step.action}"


def _gate_only(result: StepResult | Failure) -> bool:
    return isinstance(result, StepResult) and result.gate is not None and not result.changed


def stale_addresses(saved: CustomerPlan, fresh: CustomerPlan) -> list[str]:
    """Addresses whose actual state (or the customer file) changed since the plan was saved."""
    out: list[str] = []
    if saved.desired_fingerprint and saved.desired_fingerprint != fresh.desired_fingerprint:
        out.append(f"{saved.customer_external_id} (its file changed)")
    before, after = saved.actual_fingerprints, fresh.actual_fingerprints
    out += [a for a in sorted(set(before) | set(after)) if before.get(a) != after.get(a)]
    return out
