"""`LayersClient.inside(child)`: a view of one client whose every request acts inside a child
organization (Rev B), sharing its connection, pacing, stats and key, which never shows."""

from __future__ import annotations

import httpx

from layers_reconcile.client import LayersClient
from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.ids import idempotency_key_for, organization_key, project_id_for

KEY = "lp_test_childview_K3yThatMustNeverLeakIntoOutput0000000000000000"


async def test_the_view_acts_inside_the_child_and_the_parent_stays_outside() -> None:
    app = create_app(EmulatorSettings(api_key=KEY, api_revision="b"))
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    transport = httpx.ASGITransport(app=app)
    try:
        async with LayersClient("http://emulator", KEY, transport=transport) as client:
            client._http.event_hooks["request"].append(record)
            await client.whoami()
            child = await client.create_organization(
                {"name": "Acme", "metadata": {"externalId": "acme"}}, organization_key("w", "a")
            )
            inside = client.inside(child.id)
            body = {"id": project_id_for("acme"), "name": "Acme", "customerExternalId": "acme"}
            body["timezone"] = "UTC"
            made = await inside.create_project(body, idempotency_key_for("acme", "p", body))
            assert [p.id for p in await inside.find_projects("acme")] == [made.id]
            assert await client.find_projects("acme") == []  # the parent does not see it
            assert inside.stats is client.stats
            assert KEY not in repr(inside)
            assert client.organization is None
    finally:
        app.state.emulator.close()
    headers = [r.headers.get("x-layers-organization") for r in sent]
    paths = [r.url.path for r in sent]
    assert headers == [None, None, child.id, child.id, None]
    assert paths[1] == "/v1/organizations"
