"""Everything a step handler needs for one customer, and the few things they all do."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from layers_reconcile.apply.callback import Receivers
from layers_reconcile.apply.events import EventSink, JobProgress, PersonWait
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.apply.reserved import (
    RESERVED_VERSION,
    Keep,
    Reserved,
    reserved_of,
    same_record,
    user_metadata,
    with_reserved,
)
from layers_reconcile.apply.slot import Slot
from layers_reconcile.client.api import utc_timestamp
from layers_reconcile.ids import child_scope, idempotency_key_for
from layers_reconcile.plan.ids import LAST_APPLIED
from layers_reconcile.records import Job, Project

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
    # Rev B content: one variant's call is sent only once the previous one's container is
    # recorded (the variants' jobs still run side by side), so a crash leaves at most one
    # unrecorded call per content key, which its Idempotency-Key replays.
    send_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # The project row as last read or written by this run: the base of reserved-key writes, so
    # each costs one PATCH (a rival run's concurrent write may be lost; the next observation
    # re-derives it from the deterministic ids, so nothing is ever duplicated).
    known_project: Project | None = None
    # The reserved record as this run knows it, ahead of the stored one (None: nothing pending),
    # and by when the pending change must be written (apply/reserved.py `Keep`).
    pending_record: Reserved | None = None
    owed: Keep | None = None
    # The key's own client (`api` is a view inside the customer's child organization once it
    # is known): the control plane names the child in its path and is sent from here.
    parent: LayersClient | None = None
    organization_id: str | None = None
    # The customer's archived children (ids) as last read: the keys of its new child and of
    # everything made inside it derive from them (`ids.child_scope`), so none replays an
    # answer given for an archived child (the API keeps them 24 h).
    archived_children: list[str] = field(default_factory=list)

    @property
    def control(self) -> LayersClient:
        """The client of the key's own organization (organizations, transfers, migrate)."""
        return self.parent or self.api

    def enter(self, organization_id: str) -> None:
        """From now on every project, content, account and post call acts inside this child."""
        self.parent = self.control
        self.organization_id = organization_id
        self.api = self.parent.inside(organization_id)

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
        return idempotency_key_for(child_scope(self.customer, self.archived_children), step, body)

    def gate_deadline(self) -> float:
        return self.options.clock() + self.options.wait_for_people

    async def project(self) -> Project:
        """A fresh read of the project."""
        self.known_project = row = await self.api.get_project(self.require_project())
        return row

    async def latest_project(self) -> Project:
        known = self.known_project
        if known is not None and known.id == self.project_id:
            return known
        return await self.project()

    def remember(self, row: Project) -> None:
        """Keep a project row a write answered with (PATCH and create return the whole row)."""
        if "metadata" in row.model_fields_set and row.id == self.project_id:
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

    async def update_reserved(
        self, mutate: Callable[[Reserved], None], keep: Keep = Keep.NOW
    ) -> Reserved:
        """Change the reserved metadata key (beside the user's own keys); written now or later
        as `keep` says, together with every change pending by then."""
        async with self.reserved_lock:
            before = await self.reserved()
            after = copy.deepcopy(before)
            mutate(after)
            after.setdefault("v", RESERVED_VERSION)
            if not same_record(after, before):
                self.pending_record = after
                self.owed = keep if self.owed is None else max(self.owed, keep)
            if keep is Keep.NOW:
                await self._write_record()
            return copy.deepcopy(after)

    async def flush_reserved(self, need: Keep) -> None:
        """Write the pending record when a change in it must be written by now: `Keep.STAGE`
        when a stage's batch ends, `Keep.RUN` when the customer's run ends."""
        async with self.reserved_lock:
            if self.owed is not None and self.owed >= need:
                await self._write_record()

    async def _write_record(self) -> None:
        record = self.pending_record
        if record is None:
            self.owed = None
            return
        project = await self.latest_project()
        if not same_record(record, reserved_of(project)):
            stamped = copy.deepcopy(record)
            stamped[LAST_APPLIED] = self.applied_at()
            await self.patch_project({"metadata": with_reserved(user_metadata(project), stamped)})
        self.record_written()

    def record_written(self) -> None:
        """The pending record is what the project now stores."""
        self.pending_record = None
        self.owed = None

    async def reserved(self) -> Reserved:
        if self.pending_record is not None:
            return copy.deepcopy(self.pending_record)
        return reserved_of(await self.latest_project())

    def as_known(self, project: Project | None) -> Project | None:
        """A project row as this run knows it: with the reserved record not yet written."""
        if project is None or self.pending_record is None:
            return project
        metadata = with_reserved(user_metadata(project), copy.deepcopy(self.pending_record))
        return project.model_copy(update={"metadata": metadata})

    async def wait_for_job(
        self, address: str, job_id: str, *, expected_seconds: float | None
    ) -> Job:
        """Poll a job to its end, reporting progress; the customer's seat is free meanwhile."""
        started = self.options.clock()
        expected = (expected_seconds or 60.0) / max(self.options.job_time_scale, 1e-6)

        def on_job(job: Job) -> None:
            percent = job.progress * 100 if job.progress is not None else None
            self.emit(
                JobProgress(
                    customer=self.customer,
                    address=address,
                    job_id=job_id,
                    stage=job.stage,
                    percent=percent,
                    elapsed=self.options.clock() - started,
                    expected=expected,
                )
            )

        async with self.slot.waiting():
            return await self.api.wait_for_job(job_id, expected_seconds=expected, on_job=on_job)
