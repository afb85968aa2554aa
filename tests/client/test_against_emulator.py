"""The client against the real emulator: in process (ASGI) and over HTTP with injected faults."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stamina

from layers_reconcile.client import LayersClient
from layers_reconcile.errors import NotFoundError
from layers_reconcile.ids import content_id_for, idempotency_key_for, project_id_for
from layers_reconcile.records import Job, Project

server_module = pytest.importorskip("layers_reconcile.emulator.server")
app_module = pytest.importorskip("layers_reconcile.emulator.app")
settings_module = pytest.importorskip("layers_reconcile.emulator.settings")
clock_module = pytest.importorskip("layers_reconcile.emulator.clock")

KEY = "lp_test_clientintegration_K3yThatMustNeverLeakIntoOutput000000000"


def settings(**wanted: Any) -> Any:
    """EmulatorSettings with the fields it has (its flags may still grow)."""
    cls = settings_module.EmulatorSettings
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in wanted.items() if k in names})


@pytest.fixture(autouse=True)
def real_retries() -> Iterator[None]:
    """Real backoff against a real server (the unit tests' conftest turns it off)."""
    with stamina.set_testing(False):
        yield


def project_body(customer: str) -> dict[str, Any]:
    return {
        "id": project_id_for(customer),
        "name": f"Customer {customer}",
        "customerExternalId": customer,
        "timezone": "UTC",
        "primaryLanguage": "en",
    }


async def create(client: LayersClient, customer: str) -> Project:
    body = project_body(customer)
    return await client.create_project(body, idempotency_key_for(customer, "project", body))


async def test_create_find_and_paginate_in_process() -> None:
    app = app_module.create_app(settings(api_key=KEY, rate_limit_tier="partner"))
    transport = httpx.ASGITransport(app=app)
    async with LayersClient("http://emulator", KEY, transport=transport) as client:
        who = await client.whoami()
        assert client.tier == who.rate_limit_tier == "partner"

        first = await create(client, "quinn-coffee-001")
        assert first.id == project_id_for("quinn-coffee-001")
        again = await create(client, "quinn-coffee-001")  # a rerun: replayed, not duplicated
        assert again.id == first.id
        found = await client.find_projects("quinn-coffee-001")
        assert [p.id for p in found] == [first.id]

        await asyncio.gather(*(create(client, f"cust-{i:03d}") for i in range(30)))
        listed = await client.list_all("/v1/projects", {"limit": 7})
        assert len({p["id"] for p in listed}) == len(listed) == 31
        assert len(await client.list_projects()) == 31

        assert (await client.get_project(first.id)).customer_external_id == "quinn-coffee-001"
        with pytest.raises(NotFoundError):
            await client.get_project(project_id_for("nobody"))


async def test_faults_are_retried_without_duplicates_over_http() -> None:
    with server_module.EmulatorServer(
        settings(api_key=KEY, port=0, fault_rate=0.2, fault_seed=7, speed=200.0)
    ) as server:
        async with LayersClient(server.url, server.api_key, max_attempts=10) as client:
            customers = [f"fault-{i:03d}" for i in range(40)]
            created = await asyncio.gather(*(create(client, c) for c in customers))
            assert {p.id for p in created} == {project_id_for(c) for c in customers}
            listed = await client.list_all("/v1/projects", {"limit": 9})
            mine = [p for p in listed if p["customerExternalId"] in set(customers)]
            assert sorted(p["customerExternalId"] for p in mine) == customers
            assert client.stats.retries > 0
        async with httpx.AsyncClient(base_url=server.url) as admin:
            stats = (await admin.get("/_emulator/stats")).json()
    # the test means something only if responses were lost after the work was done
    assert stats["faults"]["lost_500"] + stats["faults"]["lost_drop"] > 0
    assert stats["routes"]["POST /v1/projects"] > len(customers)


async def test_content_job_is_polled_to_completion_over_http() -> None:
    speed = 100.0
    with server_module.EmulatorServer(settings(api_key=KEY, port=0, speed=speed)) as server:
        async with LayersClient(server.url, server.api_key) as client:
            project = await create(client, "jobs-001")
            body = {
                "id": content_id_for(project.id, "launch-hook"),
                "format": "auto",
                "variantCount": 1,
                "brief": {"hook": "Your cafe, skip the line.", "targetPlatforms": ["tiktok"]},
            }
            started = await client.generate_content(
                project.id, body, idempotency_key_for("jobs-001", "content", body)
            )
            progress: list[Job] = []
            job = await client.wait_for_job(
                started.job_id, expected_seconds=135.0 / speed, on_job=progress.append
            )
            assert job.status == "completed"
            assert client.stats.polls <= 12
            assert progress[-1].status == "completed"


def manual_client(clock: Any, app: Any, **kw: Any) -> LayersClient:
    """A client sharing the emulator's manual clock: sleeping moves emulated time, not real."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return LayersClient(
        "http://emulator",
        KEY,
        transport=httpx.ASGITransport(app=app),
        clock=clock.now,
        sleep=sleep,
        **kw,
    )


async def test_pacing_keeps_a_standard_key_free_of_429s() -> None:
    clock = clock_module.ManualClock()
    app = app_module.create_app(settings(api_key=KEY, rate_limit_tier="standard"), clock=clock)
    async with manual_client(clock, app) as client:
        await client.whoami()
        start = clock.now()
        for i in range(300):
            await client.request("GET", "/v1/projects", params={"limit": 1 + i % 5})
        for i in range(25):
            await create(client, f"paced-{i:03d}")
    assert client.stats.rate_limited == 0
    # The client follows the emulator's X-RateLimit-Remaining: its read bucket starts full (120,
    # whoami took one), then refills at 120/min; the 25 writes fit in the write bucket's 60.
    # (Its own burst of 12 and 90 % of the rate took 288 * 60 / 108 + 19 * 60 / 54 s, 181 s.)
    assert clock.now() - start == pytest.approx((301 - 120) * 60 / 120, rel=0.02)


async def test_an_unpaced_client_waits_out_429s_exactly() -> None:
    clock = clock_module.ManualClock()
    app = app_module.create_app(settings(api_key=KEY, rate_limit_tier="standard"), clock=clock)
    async with manual_client(clock, app) as client:
        for _ in range(130):  # no whoami: no pacing, so the emulator's bucket of 120 runs dry
            await client.request("GET", "/v1/projects")
    assert client.stats.rate_limited > 0
    assert client.stats.requests == 130 + client.stats.rate_limited


async def test_job_polls_are_few_and_timely_against_the_emulator() -> None:
    """PRODUCT §8: ≤ 8 polls per job on average, completion noticed within 10 % of its duration."""
    clock = clock_module.ManualClock()
    app = app_module.create_app(settings(api_key=KEY, seed=3), clock=clock)
    async with manual_client(clock, app) as client:
        project = await create(client, "polls-001")
        lateness: list[float] = []
        for i in range(30):
            body = {
                "id": content_id_for(project.id, f"k{i}"),
                "format": "auto",
                "brief": {"hook": f"Hook number {i}", "targetPlatforms": ["tiktok"]},
            }
            started = await client.generate_content(
                project.id, body, idempotency_key_for("polls-001", f"content-{i}", body)
            )
            begun = clock.now()
            job = (await client.wait_for_job(started.job_id, expected_seconds=135.0)).raw()
            assert job["status"] == "completed"
            duration = iso_seconds(job["finishedAt"]) - iso_seconds(job["startedAt"])
            assert 90.0 <= duration <= 180.0
            lateness.append((clock.now() - begun - duration) / duration)
    assert client.stats.polls / client.stats.jobs_waited <= 8
    assert max(lateness) <= 0.10


def iso_seconds(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def test_the_calls_apply_makes_live_on_the_one_client() -> None:
    """apply's former pass-throughs: installations parsed once, a retried register replays."""
    app = app_module.create_app(settings(api_key=KEY, rate_limit_tier="partner"))
    transport = httpx.ASGITransport(app=app)
    return_url = "http://127.0.0.1:8788/layers-reconcile/callback"
    async with LayersClient("http://emulator", KEY, transport=transport) as client:
        await client.whoami()
        assert await client.installations() == []  # 404 NOT_FOUND: none registered yet
        for login in ("quinns-coffee", "acme-labs"):
            issued = await client.install_url(return_url, login=login)
            consent = await client._http.get(str(issued.authorize_url))
            back = httpx.URL(consent.headers["location"]).params
            key = idempotency_key_for("c", "github", {"login": login})
            first = await client.register_installation(
                int(back["installation_id"]), str(issued.state), key
            )
            again = await client.register_installation(
                int(back["installation_id"]), str(issued.state), key
            )
            assert again == first  # same key: the first answer again, the spent state is fine
        logins = {i.login for i in await client.installations()}
        assert logins == {"quinns-coffee", "acme-labs"}
