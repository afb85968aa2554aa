"""`apply.execute()` in this process against the emulator's ASGI app, all on one manual clock.

The emulator, the client (pacing, retries, job polling) and apply (gates, backoffs) read the same
`ManualClock`; a sleep moves it forward instead of waiting, so documented job durations and
`--wait-for-people` cost no wall time. A reader over the same app asserts what exists.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from layers_reconcile.apply.events import ApplyReport, EventSink, ignore_events
from layers_reconcile.apply.executor import execute
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.client import LayersClient
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.clock import ManualClock
from layers_reconcile.emulator.faults import ConnectionDropped
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.emulator.state import Emulator
from layers_reconcile.plan.model import Plan
from tests.apply.support import KEY

BASE = "http://emulator.test"


@dataclass
class InProcess:
    """One emulator app, its clock, and helpers to apply a workspace and read what exists."""

    transport: httpx.AsyncBaseTransport  # the ASGI app's, or one wrapped around it
    clock: ManualClock
    reader: httpx.AsyncClient
    emulator: Emulator  # the app's core: its faults, stats and store
    sleeps: int = 0
    # Run before every sleep of the run: people (or anything) acting while apply waits.
    meanwhile: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    async def sleep(self, seconds: float) -> None:
        """A sleep that moves the shared clock instead of waiting (and lets others run)."""
        self.sleeps += 1
        for act in self.meanwhile:
            await act()
        self.clock.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    def options(self, **values: Any) -> ApplyOptions:
        base = ApplyOptions(clock=self.clock.now, sleep=self.sleep, now=self.now)
        return replace(base, **values)

    async def apply(
        self,
        workspace: Path,
        *,
        on_event: EventSink = ignore_events,
        plan: Plan | None = None,
        customers: tuple[str, ...] = (),
        **options: Any,
    ) -> ApplyReport:
        loaded = load_workspace(workspace, now=self.now())
        client = LayersClient(
            BASE, KEY, transport=self.transport, clock=self.clock.now, sleep=self.sleep
        )
        async with client:
            return await execute(
                client,
                loaded,
                options=self.options(**options),
                on_event=on_event,
                plan=plan,
                customers=customers,
            )

    async def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, **({"cursor": cursor} if cursor else {})}
            answer = await self.reader.get(path, params=query)
            answer.raise_for_status()
            page = answer.json()
            out += page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return out

    async def consent(self, url: str) -> None:
        """A person opens the URL (a plain GET); for a GitHub install, the partner's callback
        then registers the installation with the id and state GitHub sends back."""
        answer = await self.reader.get(url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        if "installation_id" in query:
            registered = await self.reader.post(
                "/v1/github/installation",
                json={
                    "installationId": int(query["installation_id"][0]),
                    "state": query["state"][0],
                },
            )
            registered.raise_for_status()

    async def projects(self, customer: str) -> list[dict[str, Any]]:
        return await self.items("/v1/projects", customerExternalId=customer)

    async def assert_no_duplicates(self, expected: dict[str, dict[str, Any]]) -> None:
        """As `support.assert_no_duplicates`: one project per customer, one container per
        content key and variant, one live post per schedule entry."""
        for customer, expect in expected.items():
            projects = await self.projects(customer)
            assert len(projects) == 1, f"{customer}: {len(projects)} projects"
            pid = projects[0]["id"]
            containers = await self.items(f"/v1/projects/{pid}/content")
            assert len(containers) == expect["containers"], (customer, len(containers))
            posts = [
                p
                for p in await self.items(f"/v1/projects/{pid}/scheduled-posts")
                if p["status"] != "canceled"
            ]
            assert len(posts) == expect["posts"], (customer, len(posts))
            assert all(n == 1 for n in Counter(p["id"] for p in posts).values())


class _NetworkLike(httpx.AsyncBaseTransport):
    """The ASGI transport, but a connection the emulator drops (a lost response) reaches the
    client as it would over a socket: an httpx error, not the app's own exception."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None


def network_like(ip: InProcess) -> httpx.AsyncBaseTransport:
    return _NetworkLike(ip.transport)


@asynccontextmanager
async def in_process(*, start: float | None = None, **settings: Any) -> AsyncIterator[InProcess]:
    """The emulator app (auto-consent unless told otherwise), clock starting at wall time."""
    clock = ManualClock(start if start is not None else datetime.now(UTC).timestamp())
    settings.setdefault("auto_consent", True)
    app = create_app(EmulatorSettings(api_key=KEY, **settings), clock=clock)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url=BASE, headers={"Authorization": f"Bearer {KEY}"}
        ) as reader:
            yield InProcess(
                transport=transport, clock=clock, reader=reader, emulator=app.state.emulator
            )
    finally:
        app.state.emulator.close()
