"""observe_customer with a projects-list read already made: which reads it still sends."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from layers_reconcile.client import LayersClient
from layers_reconcile.plan.observe import SharedActual, observe_customer
from layers_reconcile.records import Project
from tests.plan.builders import loaded

ROW = {
    "id": "prj_1",
    "name": "C",
    "status": "active",
    "customerExternalId": "c-1",
    "timezone": "UTC",
    "metadata": {},
    "approvalPolicy": {"requiresApproval": False},
    "brandContext": None,
    "ingestState": {"github": None},
}


def observe(listed: list[dict[str, Any]]) -> tuple[Any, list[str]]:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json=ROW)

    async def go() -> Any:
        transport = httpx.MockTransport(answer)
        async with LayersClient("http://api.test", "k", transport=transport) as client:
            spec = loaded({"customerExternalId": "c-1", "project": {"name": "C"}}).spec
            rows = None if listed is None else [Project.model_validate(p) for p in listed]
            return await observe_customer(client, spec, SharedActual(), listed=rows)

    return asyncio.run(go()), sent


def test_a_list_item_with_the_whole_row_needs_no_get() -> None:
    actual, sent = observe([ROW])
    assert actual.project_id == "prj_1"
    assert sent == []


def test_a_list_item_without_metadata_is_read_once() -> None:
    item = {k: ROW[k] for k in ("id", "name", "status", "customerExternalId", "timezone")}
    actual, sent = observe([item])
    assert actual.project == Project.model_validate(ROW)
    assert sent == ["GET /v1/projects/prj_1"]


def test_an_item_of_another_customer_is_never_used() -> None:
    actual, sent = observe([{**ROW, "customerExternalId": "someone-else-999"}])
    assert actual.project is None
    assert sent == []
