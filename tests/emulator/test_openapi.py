"""The emulator's OpenAPI document covers every route it serves, and fuzzing it finds no 5xx.

schemathesis generates requests (valid and invalid) from `/_emulator/openapi.json` and sends
them in-process to the ASGI app; every answer must be below 500, and every 4xx must be the
error envelope. A bounded, derandomized number of examples keeps it reproducible and quick.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from starlette.applications import Starlette
from starlette.routing import Route

from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.clock import ManualClock
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.emulator.support import APP_DESCRIPTION, HOOK, KEY, QUINN_REPO, SOCIAL_RETURN, Api, ApiB

# per operation and run; FUZZ_EXAMPLES=200 (and FUZZ_SEED=n for another sequence) hunts deeper
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
AUTH = {"Authorization": f"Bearer {KEY}", "X-Api-Key": KEY}


def _check(case: Any) -> None:
    response = case.call(headers=AUTH)
    status = response.status_code
    assert status < 500, (case.method, case.formatted_path, response.text)
    if 400 <= status < 500:
        body = response.json()
        assert set(body) == {"error"}, response.text
        error = body["error"]
        assert {"code", "message", "requestId", "details"} <= set(error), response.text
        assert [error["requestId"]] == response.headers["x-request-id"]
        for issue in error["details"].get("issues", []):
            assert isinstance(issue["path"], str), response.text
            assert issue["message"], response.text


async def _world(app: Starlette, clock: ManualClock) -> dict[str, str]:
    """A project with content, an account, a queued post and an influencer: ids worth fuzzing."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
        api = Api(c, app, clock)
        pid = (await api.project())["id"]
        cid = await api.content(pid)
        account = await api.connect(pid)
        posted = await api.schedule(cid, account, "2030-01-01T00:00:00Z")
        influencer = f"inf_{uuid.UUID(int=7)}"
        body = {"name": "Ava", "influencerId": influencer}
        job = (await api.post(f"/v1/projects/{pid}/influencers", body)).json()["jobId"]
        url = {"platform": "instagram", "returnUrl": SOCIAL_RETURN}
        state = (await api.post(f"/v1/projects/{pid}/social/oauth-url", url)).json()["state"]
    return {
        "id": pid,
        "projectId": pid,
        "containerId": cid,
        "socialAccountId": account,
        "scheduledPostId": posted.json()["scheduledPostIds"][0],
        "influencerId": influencer,
        "jobId": job,
        "state": state,
    }


async def _world_b(app: Starlette, clock: ManualClock) -> dict[str, str]:
    """The same world made by a Rev B client (prefixed ids, per-format routes)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
        api = ApiB(c, app, clock)
        pid = (await api.project(appDescription=APP_DESCRIPTION))["id"]
        await api.ingest(pid, QUINN_REPO)
        cid = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
        account = await api.connect(pid)
        target = {"socialAccountId": account, "mode": "publish"}
        body = {"scheduledFor": "2030-01-01T00:00:00Z", "targets": [target]}
        posted = await api.post(f"/v1/content/{cid}/schedule", body)
        influencer = await api.influencer_b(pid, prompt="barista energy")
        job = (await api.post(f"/v1/projects/{pid}/influencers", {})).json()["jobId"]
        url = {"platform": "instagram", "returnUrl": SOCIAL_RETURN}
        state = (await api.post(f"/v1/projects/{pid}/social/oauth-url", url)).json()["state"]
        # a funded child organization with a key: the control plane's ids worth fuzzing
        org = (await api.post("/v1/organizations", {"name": "Acme Coffee"})).json()["id"]
        await api.post(f"/v1/organizations/{org}/credits/allocate", {"credits": 500}, idem="f1")
        minted = {"name": "acme", "scopes": ["content:read"]}
        key = (await api.post(f"/v1/organizations/{org}/api-keys", minted)).json()["id"]
    return {
        "id": pid,
        "projectId": pid,
        "containerId": cid,
        "socialAccountId": account,
        "scheduledPostId": posted.json()["scheduledPostIds"][0],
        "influencerId": influencer,
        "jobId": job,
        "state": state,
        "orgId": org,
        "keyId": key,
    }


def _known_ids(ids: dict[str, str]) -> Any:
    def fill(drawn: tuple[Any, bool]) -> Any:
        case, use = drawn
        if use and case.path_parameters:
            case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
        return case

    return fill


# Each revision's operations are fuzzed in PARTS (every PARTS-th operation, each part against a
# world of its own): one part stays well under 20 s on two busy cores.
PARTS = 3


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("revision", ["a", "b"])
def test_no_5xx_and_every_4xx_in_the_envelope(revision: str, part: int) -> None:
    clock = ManualClock()
    app = create_app(EmulatorSettings(api_revision="b" if revision == "b" else "a"), clock=clock)
    try:
        ids = asyncio.run((_world_b if revision == "b" else _world)(app, clock))
        schema = schemathesis.openapi.from_asgi("/_emulator/openapi.json", app)
        results = list(schema.get_all_operations())
        operations = [result.ok() for result in results if isinstance(result, Ok)]
        assert len(operations) == len(results) > 40
        # the destructive calls last, so that the others meet a live project
        operations.sort(key=lambda op: op.method.upper() == "DELETE")
        for operation in operations[part::PARTS]:
            generated = st.one_of(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            )
            cases = st.tuples(generated, st.booleans()).map(_known_ids(ids))
            run = settings(
                max_examples=EXAMPLES,
                derandomize="FUZZ_SEED" not in os.environ,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )(given(cases)(_check))
            if "FUZZ_SEED" in os.environ:
                run = seed(int(os.environ["FUZZ_SEED"]))(run)
            run()
    finally:
        app.state.emulator.close()


def _served(app: Starlette) -> set[tuple[str, str]]:
    return {
        (method.lower(), route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }


async def test_the_document_covers_every_route(api: Api) -> None:
    resp = await api.client.get("/_emulator/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.1")
    documented = {(m, path) for path, item in doc["paths"].items() for m in item}
    assert documented == _served(api.app)
    schedule = doc["paths"]["/v1/content/{containerId}/schedule"]["post"]
    assert schedule["requestBody"]["required"] is True
    assert {"401", "403", "404", "422", "429"} <= set(schedule["responses"])
    patch = doc["paths"]["/v1/projects/{id}"]["patch"]
    assert "400" in patch["responses"]
    listing = doc["paths"]["/v1/projects/{projectId}/content"]["get"]
    status = next(p for p in listing["parameters"] if p["name"] == "status")
    assert status["schema"]["items"]["enum"][0] == "queued"
    target = doc["components"]["schemas"]["Target"]
    assert set(target["required"]) == {"socialAccountId", "mode"}


async def test_the_rev_b_document_covers_rev_b(api_b: ApiB) -> None:
    doc = (await api_b.client.get("/_emulator/openapi.json")).json()
    documented = {(m, path) for path, item in doc["paths"].items() for m in item}
    assert documented == _served(api_b.app)
    generation = {
        path.rsplit("/", 1)[1]
        for path, item in doc["paths"].items()
        if path.startswith("/v1/projects/{projectId}/content/") and "post" in item
    }
    assert generation == {"slideshow-builder", "slideshow-remix", "video-remix", "ugc-remix"}
    builder = doc["paths"]["/v1/projects/{projectId}/content/slideshow-builder"]["post"]
    assert {"402", "422"} <= set(builder["responses"])
    assert doc["components"]["schemas"]["SlideshowBuilder"]["required"] == ["hook"]
    assert "/v1/projects/{projectId}/content-review-policy" in doc["paths"]
    assert "/v1/projects/{projectId}/approval-policy" not in doc["paths"]
    assert "/v1/content/{containerId}/regenerate" not in doc["paths"]
    assert set(doc["components"]["securitySchemes"]) == {"bearer"}
    target = doc["components"]["schemas"]["TargetB"]["properties"]["mode"]
    assert target["enum"] == ["publish", "draft", "managed"]
    control = {
        ("post", "/v1/organizations"),
        ("get", "/v1/organizations"),
        ("post", "/v1/organizations/migrate"),
        ("get", "/v1/organizations/{orgId}"),
        ("patch", "/v1/organizations/{orgId}"),
        ("delete", "/v1/organizations/{orgId}"),
        ("post", "/v1/organizations/{orgId}/suspend"),
        ("post", "/v1/organizations/{orgId}/resume"),
        ("get", "/v1/organizations/{orgId}/credits"),
        ("get", "/v1/organizations/{orgId}/credits/events"),
        ("post", "/v1/organizations/{orgId}/credits/allocate"),
        ("get", "/v1/organizations/{orgId}/credit-config"),
        ("patch", "/v1/organizations/{orgId}/credit-config"),
        ("post", "/v1/organizations/{orgId}/api-keys"),
        ("get", "/v1/organizations/{orgId}/api-keys"),
        ("post", "/v1/organizations/{orgId}/api-keys/{keyId}/rotate"),
        ("delete", "/v1/organizations/{orgId}/api-keys/{keyId}"),
        ("get", "/v1/credits/events"),
    }
    assert control <= documented
    allocate = doc["paths"]["/v1/organizations/{orgId}/credits/allocate"]["post"]
    assert {"400", "402", "409", "422"} <= set(allocate["responses"])
    assert "org:admin" in allocate["description"]
    events = doc["paths"]["/v1/organizations/{orgId}/credits/events"]["get"]
    assert {p["name"] for p in events["parameters"]} >= {"eventType", "since", "cursor", "limit"}


async def test_rev_a_has_no_organizations(api: Api) -> None:
    doc = (await api.client.get("/_emulator/openapi.json")).json()
    assert not [path for path in doc["paths"] if "organizations" in path]
    assert (await api.get("/v1/organizations")).status_code == 404
