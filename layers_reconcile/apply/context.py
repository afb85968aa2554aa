"""Everything a step handler needs for one customer, and the few things they all do."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from layers_reconcile.apply.callback import Receivers
from layers_reconcile.apply.events import EventSink, JobProgress, PersonWait
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.apply.reserved import Reserved, mutated, reserved_of
from layers_reconcile.apply.slot import Slot
from layers_reconcile.client.api import utc_timestamp
from layers_reconcile.ids import idempotency_key_for
from layers_reconcile.records import Project

if TYPE_CHECKING:
    from layers_reconcile.client import LayersClient
    from layers_reconcile.config.models import CustomerSpec
    from layers_reconcile.plan.context import Loaded


class GateState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # the URL can no longer be used: make a new one


@dataclass
class GateCheck:
    state: GateState
    detail: str = ""


@dataclass
class Gate:
    """An open person-gated step: the URL shown, and how to tell whether the person acted."""

    wait: PersonWait
    check: Callable[[], Awaitable[GateCheck]]
    deadline: float  # monotonic

    @property
    def address(self) -> str:
        return self.wait.address


@dataclass
class CustomerContext:
    api: LayersClient  # the one API surface (client/api.py)
    customer: str
    options: ApplyOptions
    emit: EventSink
    slot: Slot
    receivers: Receivers  # the run's loopback GitHub callback servers; the executor owns them
    loaded: Loaded | None = None
    project_id: str | None = None
    reserved_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The project row as last read or written by this run: the base of reserved-key writes, so
    # each costs one PATCH (a rival run's concurrent write may be lost; the next observation
    # re-derives it from the deterministic ids, so nothing is ever duplicated).
    known_project: Project | None = None

    @property
    def spec(self) -> CustomerSpec:
        assert self.loaded is not None, "no desired state for this customer"
        return self.loaded.spec

    @property
    def workspace(self) -> str | None:
        return self.options.workspace

    def require_project(self) -> str:
        if self.project_id is None:
            raise RuntimeError(f"{self.customer}: the project is not known yet")
        return self.project_id

    def idempotency_key(self, step: str, body: Any) -> str:
        return idempotency_key_for(self.customer, step, body)

    def gate_deadline(self) -> float:
        return self.options.clock() + self.options.wait_for_people

    async def project(self) -> Project:
        """A fresh read of the project."""
        self.known_project = row = await self.api.get_project(self.require_project())
        return row

    async def latest_project(self) -> Project:
        known = self.known_project
        if known is not None and str(known.get("id")) == self.project_id:
            return known
        return await self.project()

    def remember(self, row: Project) -> None:
        """Keep a project row a write answered with (PATCH and create return the whole row)."""
        if "metadata" in row and str(row.get("id")) == self.project_id:
            self.known_project = row

    async def patch_project(self, body: dict[str, Any]) -> Project:
        try:
            row = await self.api.patch_project(self.require_project(), body)
        except BaseException:
            self.known_project = None  # it may or may not have happened: read it next time
            raise
        self.remember(row)
        return row

    def applied_at(self) -> str:
        """This run's time as the reserved key records it (`lastAppliedAt`)."""
        return utc_timestamp(self.options.now())

    async def update_reserved(self, mutate: Callable[[Reserved], None]) -> Reserved:
        """Read-modify-write of the reserved metadata key, beside the user's own keys."""
        async with self.reserved_lock:
            reserved, metadata = mutated(
                await self.latest_project(), mutate, applied_at=self.applied_at()
            )
            if metadata is not None:
                await self.patch_project({"metadata": metadata})
            return reserved

    async def reserved(self) -> Reserved:
        return reserved_of(await self.latest_project())

    async def wait_for_job(
        self, address: str, job_id: str, *, expected_seconds: float | None
    ) -> dict[str, Any]:
        """Poll a job to its end, reporting progress; the customer's seat is free meanwhile."""
        started = self.options.clock()
        expected = (expected_seconds or 60.0) / max(self.options.job_time_scale, 1e-6)

        def on_progress(job: Any) -> None:
            data = job if isinstance(job, dict) else getattr(job, "__dict__", {})
            progress = data.get("progress")
            percent = float(progress) * 100 if isinstance(progress, int | float) else None
            self.emit(
                JobProgress(
                    customer=self.customer,
                    address=address,
                    job_id=job_id,
                    stage=data.get("stage"),
                    percent=percent,
                    elapsed=self.options.clock() - started,
                    expected=expected,
                )
            )

        async with self.slot.waiting():
            job = await self.api.wait_for_job(
                job_id, expected_seconds=expected, on_progress=on_progress
            )
        return job if isinstance(job, dict) else {}
