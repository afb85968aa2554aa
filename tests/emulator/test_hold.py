"""`POST /_emulator/hold`: a test's exact stop point. The `count`-th request of a route is
carried out but not answered, and every request after it waits unanswered, never carried out;
`DELETE /_emulator/hold` drops what it held and the emulator answers as before."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from layers_reconcile.emulator.faults import ConnectionDropped
from tests.emulator.support import Api, error_of

BODY = {"name": "Shop", "timezone": "UTC"}
LOST = (ConnectionDropped, httpx.HTTPError)  # a dropped answer, as the client meets it


async def _held(api: Api, count: int) -> None:
    """Until `count` requests are held (each gets there within a few turns of the loop)."""
    hold = {}
    for _ in range(1000):
        hold = (await api.client.get("/_emulator/hold")).json()
        if hold["held"] == count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"not {count} held: {hold}")


async def _names(api: Api) -> list[str]:
    return sorted(p["name"] for p in (await api.get("/v1/projects")).json()["items"])


async def test_the_nth_request_is_carried_out_unanswered_and_those_after_it_never(
    api: Api,
) -> None:
    hold = await api.client.post("/_emulator/hold", json={"route": "POST /v1/projects", "count": 2})
    assert hold.json() == {"route": "POST /v1/projects", "count": 2, "held": 0}
    assert (await api.post("/v1/projects", {**BODY, "name": "first"})).status_code == 201
    second = asyncio.create_task(api.post("/v1/projects", {**BODY, "name": "second"}))
    await _held(api, 1)
    third = asyncio.create_task(api.post("/v1/projects", {**BODY, "name": "third"}))
    listed = asyncio.create_task(api.get("/v1/whoami"))
    await _held(api, 3)
    assert not any(task.done() for task in (second, third, listed))

    ended = await api.client.delete("/_emulator/hold")
    assert ended.json() == {"dropped": 3}
    for task in (second, third, listed):
        with contextlib.suppress(*LOST):
            await task
            raise AssertionError("a held request was answered")
    assert await _names(api) == ["first", "second"]  # the third was never made
    assert (await api.client.get("/_emulator/hold")).json() == {
        "route": None,
        "count": 0,
        "held": 0,
    }


async def test_a_hold_counts_requests_from_when_it_is_set(api: Api) -> None:
    assert (await api.post("/v1/projects", BODY)).status_code == 201
    await api.client.post("/_emulator/hold", json={"route": "POST /v1/projects", "count": 1})
    assert (await api.get("/v1/projects")).status_code == 200  # none since it was set
    made = asyncio.create_task(api.post("/v1/projects", BODY))
    await _held(api, 1)
    await api.client.delete("/_emulator/hold")
    with contextlib.suppress(*LOST):
        await made
    assert len(await _names(api)) == 2
    assert (await api.get("/v1/whoami")).status_code == 200  # answered again


async def test_a_hold_needs_a_route_and_a_count_of_at_least_one(api: Api) -> None:
    for body in ({"route": "POST /v1/projects", "count": 0}, {"count": 1}, {"route": ""}):
        error_of(await api.client.post("/_emulator/hold", json=body), 422, "VALIDATION")
    assert (await api.get("/v1/whoami")).status_code == 200
