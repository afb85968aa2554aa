"""Moves the world forward: finishes due jobs, publishes due posts, completes auto-consents.

`advance(emu, now)` runs before every request (so an injected clock is all a test needs) and on
a short tick in the background while the server runs, so posts publish with nobody watching.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from layers_reconcile.emulator import consent, containers, effects, orgs, posts
from layers_reconcile.emulator.resources import job_end
from layers_reconcile.emulator.state import Emulator

log = logging.getLogger(__name__)
IDEMPOTENCY_TTL = 24 * 3600.0
HOLD_SECONDS = 5.0  # a suspended child's due post is looked at again this much later


def advance(emu: Emulator, now: float) -> None:
    due = emu.pop_due(now)
    for kind, ident in due:
        try:
            _settle(emu, kind, ident, now)
        except Exception:
            log.exception("emulator: settling %s %s failed", kind, ident)
    if due:
        emu.store.commit()


def _settle(emu: Emulator, kind: str, ident: str, now: float) -> None:
    if kind == "job":
        job = emu.store.get("job", ident)
        if job is not None:
            effects.settle_job(emu, job, now)
    elif kind == "post":
        post = emu.store.get("post", ident)
        if post is not None and orgs.suspended(emu, post["projectId"]):
            emu.due_at(now + HOLD_SECONDS / emu.settings.speed, "post", ident)  # it holds
        elif post is not None:
            posts.settle_post(emu, post, now)
    elif kind in ("gh_state", "oauth_state"):
        consent.auto_consent(emu, kind, ident, now)
    elif kind == "autoapprove":
        containers.auto_approve(emu, ident, now)


def rebuild(emu: Emulator) -> None:
    """Re-queue the due work found in the store (after a restart with --db); drop stale records."""
    store = emu.store
    now = emu.clock.now()
    for record in store.all("idem"):
        if now - record["_createdTs"] >= IDEMPOTENCY_TTL:
            store.remove("idem", record["id"])
    store.commit()
    for job in store.all("job"):
        if job["status"] == "running":
            emu.due_at(job_end(job), "job", job["id"])
    for post in store.all("post"):
        if post["status"] == "queued":
            emu.due_at(post["_scheduledTs"], "post", post["id"])
        elif post["status"] == "publishing":
            emu.due_at(post["_publishTs"], "post", post["id"])
    if emu.settings.auto_consent:
        for kind in ("gh_state", "oauth_state"):
            for state in store.all(kind):
                if state["status"] == "pending":
                    emu.due_at(state["_createdTs"] + consent.auto_delay(emu), kind, state["id"])
    for doc in store.all("container"):
        containers.schedule_auto_approval(emu, store.get("project", doc["projectId"]), doc)


class Dispatcher:
    """The background tick; started and stopped by the app's lifespan."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.interval = min(0.5, max(0.02, 0.5 / emu.settings.speed))
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                advance(self.emu, self.emu.clock.now())
            except Exception:
                log.exception("emulator dispatcher tick failed")
            await asyncio.sleep(self.interval)
