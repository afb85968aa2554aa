"""A status the API adds after this version (`statuses.py`) is never read as over or as safe to
act on: in this process against the emulator's ASGI app, an API that answers a newer status for
one field (the emulator's answers, that field rewritten on the way) is planned and applied."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import httpx

from layers_reconcile.apply.events import CustomerStatus
from layers_reconcile.client import LayersClient
from layers_reconcile.config.loader import load_workspace
from layers_reconcile.plan.model import Action
from layers_reconcile.plan.planner import make_plan
from layers_reconcile.render.text import plain_text
from tests.apply.inprocess import BASE, InProcess, in_process, network_like
from tests.apply.support import KEY
from tests.plan.seed import customer_yaml, seed_customer, write_workspace

WORKSPACE = "newer"


class NewerApi(httpx.AsyncBaseTransport):
    """The emulator's answers, with `field` set to `value` in every answer (and list item) of a
    path matching `paths` that has the field: what an API that added that status would send."""

    def __init__(self, inner: httpx.AsyncBaseTransport, paths: str, field: str, value: str):
        self.inner, self.paths, self.field, self.value = inner, re.compile(paths), field, value
        self.rewritten = 0

    def _rewrite(self, body: object) -> object:
        if isinstance(body, dict):
            if self.field in body:
                self.rewritten += 1
                body = {**body, self.field: self.value}
            if isinstance(body.get("items"), list):
                body = {**body, "items": [self._rewrite(i) for i in body["items"]]}
        return body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if not self.paths.search(request.url.path):
            return answer
        raw = await answer.aread()
        if not raw or not answer.headers.get("content-type", "").startswith("application/json"):
            return answer
        body = self._rewrite(json.loads(raw))
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() != "content-length"]
        return httpx.Response(answer.status_code, headers=headers, json=body)


def _client(ip: InProcess, transport: httpx.AsyncBaseTransport | None = None) -> LayersClient:
    return LayersClient(
        BASE, KEY, transport=transport or network_like(ip), clock=ip.clock.now, sleep=ip.sleep
    )


async def test_a_project_in_a_newer_status_is_not_planned_and_the_others_are(
    tmp_path: Path,
) -> None:
    ids = ["cafe-a", "cafe-b"]
    root = write_workspace(tmp_path, WORKSPACE, ids)
    async with in_process(speed=1000) as ip:
        async with _client(ip) as client:
            for ext in ids:
                await seed_customer(client, ext, workspace=WORKSPACE, people=ip.reader)
            pid = (await ip.projects("cafe-a"))[0]["id"]
        newer = NewerApi(network_like(ip), rf"^/v1/projects(/{pid})?$", "status", "suspended")
        # cafe-a's file now asks for a change: were the project read as active, it would be made
        (root / "customers" / "cafe-a.yaml").write_text(customer_yaml("cafe-a", name="Renamed"))
        async with _client(ip, newer) as client:
            plan = await make_plan(client, load_workspace(root, now=ip.now()), now=ip.now())
    assert newer.rewritten
    by_customer = {c.customer_external_id: c for c in plan.customers}
    refused = by_customer["cafe-a"]
    assert refused.steps == []
    assert refused.not_planned is not None
    line = refused.not_planned.text()
    assert "'suspended'" in line, line
    assert "upgrade layers-reconcile" in line, line
    assert by_customer["cafe-b"].not_planned is None
    assert by_customer["cafe-b"].steps == []
    assert "'suspended'" in plain_text(plan)


async def test_a_container_in_a_newer_status_is_not_approved_nor_scheduled(
    tmp_path: Path,
) -> None:
    root = write_workspace(tmp_path, WORKSPACE, ["cafe-new"])
    async with in_process(speed=1000) as ip:
        newer = NewerApi(network_like(ip), r"^/v1/(projects/[^/]+/)?content", "status", "moderated")
        report = await replace(ip, transport=newer).apply(root, wait_for_people=60.0, timeout=600)
        assert newer.rewritten
        [outcome] = report.outcomes
        assert outcome.status is not CustomerStatus.CONVERGED, outcome
        assert not any("launch/approval" in d or "/schedule" in d for d in outcome.done)
        pid = (await ip.projects("cafe-new"))[0]["id"]
        containers = await ip.items(f"/v1/projects/{pid}/content")
        assert containers  # the generation ran …
        assert {c["approvalStatus"] for c in containers} == {"pending"}  # … nothing approved
        assert await ip.items(f"/v1/projects/{pid}/scheduled-posts") == []  # … nor scheduled


async def test_an_approval_in_a_newer_status_schedules_nothing_and_waits(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, WORKSPACE, ["cafe-new"])
    async with in_process(speed=1000) as ip:
        newer = NewerApi(
            network_like(ip), r"^/v1/(projects/[^/]+/)?content", "approvalStatus", "escalated"
        )
        report = await replace(ip, transport=newer).apply(root, wait_for_people=60.0)
        assert newer.rewritten
        [outcome] = report.outcomes
        assert outcome.status is CustomerStatus.WAITING, outcome
        pid = (await ip.projects("cafe-new"))[0]["id"]
        assert await ip.items(f"/v1/projects/{pid}/scheduled-posts") == []


async def test_a_post_in_a_newer_status_is_neither_over_nor_moved(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, WORKSPACE, ["cafe-a"])
    async with in_process(speed=1000) as ip:
        async with _client(ip) as client:
            await seed_customer(client, "cafe-a", workspace=WORKSPACE, people=ip.reader)
        # the file moves the post; an API that calls it "held" has not said it is still queued
        later = "2027-07-01T10:00:00Z"
        (root / "customers" / "cafe-a.yaml").write_text(customer_yaml("cafe-a", at=later))
        newer = NewerApi(network_like(ip), r"scheduled-posts", "status", "held")
        async with _client(ip, newer) as client:
            plan = await make_plan(client, load_workspace(root, now=ip.now()), now=ip.now())
        assert newer.rewritten
        actions = {s.action for c in plan.customers for s in c.steps}
        assert Action.RESCHEDULE not in actions
        assert Action.CANCEL not in actions
        report = await replace(ip, transport=newer).apply(root, wait_for_people=0.0)
        [outcome] = report.outcomes
        assert not any("reschedule" in d or "cancel" in d for d in outcome.done), outcome.done
        [post] = await ip.items(
            f"/v1/projects/{(await ip.projects('cafe-a'))[0]['id']}/scheduled-posts"
        )
        assert post["scheduledFor"] != later


async def test_an_influencer_in_a_newer_status_is_not_used_for_content(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, WORKSPACE, ["cafe-new"])
    async with in_process(speed=1000) as ip:
        newer = NewerApi(network_like(ip), r"influencers", "status", "cloning")
        report = await replace(ip, transport=newer).apply(root, wait_for_people=60.0)
        assert newer.rewritten
        [outcome] = report.outcomes
        assert outcome.status is CustomerStatus.FAILED, outcome
        assert outcome.failure is not None
        assert outcome.failure.address == "cafe-new/influencer", outcome.failure
        pid = (await ip.projects("cafe-new"))[0]["id"]
        assert await ip.items(f"/v1/projects/{pid}/content") == []


async def test_wait_for_publish_names_a_newer_post_status_as_sent(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, WORKSPACE, ["cafe-a"])
    async with in_process(speed=1000) as ip:
        async with _client(ip) as client:
            await seed_customer(client, "cafe-a", workspace=WORKSPACE, people=ip.reader)
        newer = NewerApi(network_like(ip), r"scheduled-posts", "status", "held")
        report = await replace(ip, transport=newer).apply(root, wait_for_publish=True)
        [outcome] = report.outcomes
        [(address, seen)] = outcome.published.items()
        assert address == "cafe-a/content/launch/schedule/tiktok"
        assert seen.startswith("held, due 2027-06-01T10:00:00Z"), seen  # live, not over
