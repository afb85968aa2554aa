"""Fault injection: a seeded mix of network failures, including lost responses of committed work."""

from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest

from layers_reconcile.emulator.faults import ConnectionDropped, Faults
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.emulator.conftest import OpenApi
from tests.emulator.support import KEY, Api

BODY = {"name": "Shop", "timezone": "UTC"}


async def _attempt(
    api: Api, method: str, path: str, *, json: object = None, idem: str | None = None
) -> httpx.Response | None:
    try:
        return await api.call(method, path, json=json, idem=idem)
    except ConnectionDropped:
        return None


async def test_the_fault_mix_is_seeded(open_api: OpenApi) -> None:
    outcomes = []
    for _ in range(2):
        async with open_api(fault_rate=0.4, fault_seed=7) as api:
            seen = []
            for _ in range(400):
                resp = await _attempt(api, "GET", "/v1/whoami")
                seen.append("drop" if resp is None else resp.status_code)
            outcomes.append(seen)
            faults = (await api.client.get("/_emulator/stats")).json()["faults"]
    assert outcomes[0] == outcomes[1]
    counts = Counter(outcomes[0])
    assert set(counts) == {200, 500, 503, 429, "drop"}
    assert 0.3 < 1 - counts[200] / 400 < 0.5
    assert faults["unavailable_503"] == counts[503]
    assert faults["rate_limited_429"] == counts[429]
    assert faults["lost_drop"] == counts["drop"]
    assert faults["error_500"] + faults["lost_500"] == counts[500]
    assert all(faults[k] > 0 for k in faults)


async def test_429_faults_carry_retry_after(open_api: OpenApi) -> None:
    async with open_api(fault_rate=1.0, fault_seed=3) as api:
        for _ in range(50):
            resp = await _attempt(api, "GET", "/v1/whoami")
            if resp is not None and resp.status_code == 429:
                assert resp.headers["retry-after"] == "1"
                assert resp.json()["error"]["code"] == "RATE_LIMITED"
                return
    pytest.fail("no 429 fault drawn")


async def test_lost_responses_were_committed_and_retries_replay(open_api: OpenApi) -> None:
    async with open_api(fault_rate=0.5, fault_seed=11) as api:
        lost_then_replayed = 0
        for i in range(40):
            key = str(uuid.uuid4())
            body = {**BODY, "customerExternalId": f"c-{i}"}
            lost = False
            for _ in range(30):
                resp = await _attempt(api, "POST", "/v1/projects", json=body, idem=key)
                if resp is not None and resp.status_code == 201:
                    if resp.headers.get("idempotent-replayed") == "true":
                        lost_then_replayed += int(lost)
                    break
                lost = lost or resp is None or resp.status_code == 500
            else:
                pytest.fail("never succeeded")
        store = api.emu.store
        assert len(store.all("project")) == 40  # zero duplicates
        assert lost_then_replayed > 0  # the work behind a lost response was already committed
        assert api.emu.faults.counts["lost_500"] + api.emu.faults.counts["lost_drop"] > 0


async def test_admin_routes_are_never_faulted_or_counted(open_api: OpenApi) -> None:
    async with open_api(fault_rate=1.0, fault_seed=1) as api:
        for _ in range(20):
            assert (await api.client.get("/_emulator/stats")).status_code == 200
        assert (await api.client.get("/_emulator/stats")).json()["total"] == 0


def _seed_whose_first_fault_is(kind: str) -> int:
    for seed in range(1000):
        if Faults(1.0, seed).draw() == kind:
            return seed
    raise AssertionError(kind)


def test_a_dropped_connection_over_real_http() -> None:
    seed = _seed_whose_first_fault_is("lost_drop")
    settings = EmulatorSettings(port=0, fault_rate=1.0, fault_seed=seed)
    with EmulatorServer(settings) as server, httpx.Client(base_url=server.url) as client:
        body = {**BODY, "customerExternalId": "dropped", "id": str(uuid.uuid4())}
        with pytest.raises(httpx.TransportError):
            client.post("/v1/projects", json=body, headers={"Authorization": f"Bearer {KEY}"})
        assert [p["customerExternalId"] for p in server.emulator.store.all("project")] == [
            "dropped"
        ]


async def test_stats_count_the_rate_limiters_own_429s_apart_from_injected_ones(
    open_api: OpenApi,
) -> None:
    # The standard tier allows 120 reads a minute; the clock stands still, so the 121st is refused.
    async with open_api(rate_limit_tier="standard") as api:
        statuses = [(await api.get("/v1/whoami")).status_code for _ in range(150)]
        stats = (await api.client.get("/_emulator/stats")).json()
        assert statuses.count(429) == 30
        assert stats["rateLimited"] == {"total": 30, "byClass": {"read-light": 30}}
        assert stats["faults"]["rate_limited_429"] == 0
        reset = (await api.client.post("/_emulator/stats/reset")).json()
        assert reset["rateLimited"] == {"total": 0, "byClass": {}}
    # Injected 429s are faults, not refusals of the rate limiter.
    async with open_api(fault_rate=1.0, fault_seed=3) as api:
        for _ in range(50):
            await _attempt(api, "GET", "/v1/whoami")
        stats = (await api.client.get("/_emulator/stats")).json()
        assert stats["faults"]["rate_limited_429"] > 0
        assert stats["rateLimited"]["total"] == 0
