"""What a step handler returns, and small helpers the handlers share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from layers_reconcile.apply.context import CustomerContext, Gate, GateCheck, GateState
from layers_reconcile.apply.events import PersonWait
from layers_reconcile.apply.recovery import StepError
from layers_reconcile.apply.reserved import Reserved
from layers_reconcile.errors import ConflictError, NotFoundError
from layers_reconcile.plan.address import Address
from layers_reconcile.plan.ids import CANCELED_KEY, bare_id
from layers_reconcile.plan.model import Action, Step
from layers_reconcile.plan.targets import BaseTarget, StepKind
from layers_reconcile.statuses import APPROVAL_CLEARED, POST_DONE

# Where a person lands after a consent when the file names no returnUrl (allowed by the
# emulator; on the real API add it to the key's allowed return domains or set returnUrl).
DEFAULT_RETURN_URL = "http://127.0.0.1:8788/layers-reconcile/callback"


@dataclass
class StepResult:
    detail: str = ""
    gate: Gate | None = None  # a person must act; the executor watches the gate
    changed: bool = True  # False: the step turned out to have nothing to do


T = TypeVar("T", bound=BaseTarget)


class Handler(Protocol):
    """What the executor runs for one (kind, action) of the step catalogue."""

    @property
    def kind(self) -> StepKind: ...

    @property
    def action(self) -> Action: ...

    async def __call__(self, ctx: CustomerContext, step: Step) -> StepResult: ...


@dataclass(frozen=True)
class StepHandler(Generic[T]):
    """A handler of the steps of one kind and action: `run` is given the step's target as its
    kind's model (`plan.targets`), so mypy checks every field a handler reads."""

    target: type[T]
    action: Action
    run: Callable[[CustomerContext, Step, T], Awaitable[StepResult]]

    @property
    def kind(self) -> StepKind:
        return self.target.KIND

    async def __call__(self, ctx: CustomerContext, step: Step) -> StepResult:
        target = step.target
        if not isinstance(target, self.target):  # `Step` refuses it already: never reached
            raise StepError(f"{step.address}: a {step.kind} step has no {self.kind} target")
        return await self.run(ctx, step, target)


def content_key_of(customer: str, address: str) -> str | None:
    """`ID/content/KEY/...` → KEY."""
    return Address.parse(customer, address).content_key


def where(ctx: CustomerContext, *path: str | int) -> str:
    """`file:line:col` of a key of the customer's file (for errors about what the file says);
    the file alone when its positions are not known."""
    loaded = ctx.loaded
    if loaded is None:
        return ctx.customer
    source = getattr(loaded, "source", None)
    mark = getattr(source, "mark", None)
    if callable(mark):
        found = mark(tuple(path), key=True)
        return f"{found.file}:{found.line}:{found.col}"
    return str(loaded.path)


async def connected_account(ctx: CustomerContext, platform: str, purpose: str) -> str:
    """The id of the customer's connected account on `platform` (a schedule posts to it, Rev B
    content speaks through it)."""
    for account in await ctx.api.list_social_accounts(ctx.require_project()):
        if account.platform == platform and account.status == "connected":
            return account.id
    raise StepError(
        f"{where(ctx, 'social', platform)}: no connected {platform} account {purpose}",
        recovery=f"connect the customer's {platform} account (social.{platform}), then apply again",
    )


def approval_gate(ctx: CustomerContext, address: str, container_ids: list[str]) -> Gate:
    key = content_key_of(ctx.customer, address)

    async def check() -> GateCheck:
        for container_id in container_ids:
            container = await ctx.api.get_content(container_id)
            status = container.approval_status
            if status == "rejected":
                reason = container.rejection_reason or ""
                return GateCheck(GateState.FAILED, f"content {key!r} was rejected {reason}".strip())
            if status not in APPROVAL_CLEARED:
                return GateCheck(GateState.PENDING)
        return GateCheck(GateState.DONE, "approved")

    listed = ", ".join(container_ids)
    # The API has no review page to link to: say what approves it.
    wait = PersonWait(
        address=address,
        kind="content_approval",
        url=None,
        message=(
            f"content {key!r} waits for someone to approve {listed} in your review UI "
            "(POST /v1/content/{id}/approve), or set approve: true on it"
        ),
    )
    return Gate(wait=wait, check=check, deadline=ctx.gate_deadline())


KEEP_CANCELED = 500  # post ids remembered as canceled by this tool


def record_canceled(*post_ids: str) -> Callable[[Reserved], None]:
    """A reserved-record mutation: these posts are (about to be) canceled by this tool."""

    def mutate(reserved: Reserved) -> None:
        known = [i for i in reserved.get(CANCELED_KEY) or [] if isinstance(i, str)]
        new = [b for b in dict.fromkeys(str(bare_id(p)) for p in post_ids) if b not in known]
        if new:
            reserved[CANCELED_KEY] = [*known, *new][-KEEP_CANCELED:]

    return mutate


async def cancel_post(ctx: CustomerContext, post_id: str) -> bool:
    """Cancel a queued post; True when this call canceled it, False when it was already over.

    The post is recorded as canceled by this tool first (a crash in between leaves a record of a
    post still queued, which is harmless), so plan does not report it as canceled by someone else.
    """
    await ctx.update_reserved(record_canceled(post_id))
    try:
        await ctx.api.cancel_post(post_id)
    except ConflictError:
        current = await ctx.api.get_scheduled_post(post_id)
        if current.status in POST_DONE:
            return False
        raise
    except NotFoundError:
        return False
    return True
