"""Cross-cutting contract: auth, scopes, envelope, idempotency, rate limits, stats."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from tests.emulator.conftest import OpenApi
from tests.emulator.support import KEY, Api, error_of

BODY = {"name": "Quinns Coffee Co", "customerExternalId": "quinn-coffee-001", "timezone": "UTC"}


async def test_missing_or_wrong_key_is_401(api: Api) -> None:
    error_of(await api.get("/v1/whoami", key=None), 401, "UNAUTHENTICATED")
    error_of(await api.get("/v1/whoami", key="lp_test_wrong"), 401, "UNAUTHENTICATED")
    error_of(
        await api.get("/v1/whoami", key=None, headers={"Authorization": KEY}),
        401,
        "UNAUTHENTICATED",
    )


async def test_both_auth_headers_and_x_api_key_wins(api: Api) -> None:
    ok = await api.get("/v1/whoami", key=None, headers={"X-Api-Key": KEY})
    assert ok.status_code == 200
    both = await api.get("/v1/whoami", key="lp_test_wrong", headers={"X-Api-Key": KEY})
    assert both.status_code == 200
    wrong = await api.get("/v1/whoami", headers={"X-Api-Key": "lp_test_wrong"})
    error_of(wrong, 401, "UNAUTHENTICATED")


async def test_every_response_carries_a_request_id_and_endpoint_class(api: Api) -> None:
    ok = await api.get("/v1/projects")
    assert ok.headers["x-request-id"].startswith("req_")
    assert ok.headers["x-ratelimit-endpoint-class"] == "read-light"
    created = await api.post("/v1/projects", BODY)
    assert created.headers["x-ratelimit-endpoint-class"] == "write-light"
    pid = created.json()["id"]
    job = await api.post(f"/v1/projects/{pid}/content", {"brief": {}})
    assert job.headers["x-ratelimit-endpoint-class"] == "long-running"
    missing = await api.get("/v1/nothing-here")
    error_of(missing, 404, "NOT_FOUND")
    wrong_method = await api.call("PUT", "/v1/projects")
    error_of(wrong_method, 405, "METHOD_NOT_ALLOWED")
    admin = await api.client.get("/_emulator/stats")
    assert admin.headers["x-request-id"].startswith("req_")
    garbage = await api.call(
        "POST", "/v1/projects", headers={"Content-Type": "application/json"}, json=None
    )
    error_of(garbage, 422, "VALIDATION")
    broken = await api.client.post(
        "/v1/projects", content=b"{nope", headers={"Authorization": f"Bearer {KEY}"}
    )
    error_of(broken, 400, "VALIDATION")


async def test_scopes_are_enforced_per_route(api: Api) -> None:
    reader = await api.new_key(["projects:read"])
    pid = (await api.project())["id"]
    assert (await api.get(f"/v1/projects/{pid}", key=reader)).status_code == 200
    assert (await api.get(f"/v1/projects/{pid}/influencers", key=reader)).status_code == 200
    denied = await api.post("/v1/projects", {**BODY, "customerExternalId": "x"}, key=reader)
    details = error_of(denied, 403, "FORBIDDEN_SCOPE")
    assert details["requiredScopes"] == ["projects:write"]
    error_of(await api.get("/v1/github/installation", key=reader), 403, "FORBIDDEN_SCOPE")
    error_of(await api.get(f"/v1/projects/{pid}/content", key=reader), 403, "FORBIDDEN_SCOPE")
    nothing = await api.new_key([])
    error_of(await api.get(f"/v1/projects/{pid}", key=nothing), 403, "FORBIDDEN_SCOPE")
    who = (await api.get("/v1/whoami", key=reader)).json()
    assert who["scopes"] == ["projects:read"]


async def test_restricted_key_has_its_own_return_url_allowlist(api: Api) -> None:
    key = await api.new_key(["github:admin"], domains=["partner.example"])
    ok = await api.get(
        "/v1/github/installation/install-url",
        params={"returnUrl": "https://partner.example/cb"},
        key=key,
    )
    assert ok.status_code == 200
    no = await api.get(
        "/v1/github/installation/install-url", params={"returnUrl": "https://localhost/cb"}, key=key
    )
    error_of(no, 403, "RETURN_URL_NOT_ALLOWED")


async def test_allow_return_domain_setting(open_api: OpenApi) -> None:
    async with open_api(allow_return_domains=("partner.example",)) as api:
        ok = await api.get(
            "/v1/github/installation/install-url",
            params={"returnUrl": "https://partner.example/cb"},
        )
        assert ok.status_code == 200


async def test_idempotency_replays_status_and_body(api: Api) -> None:
    key = str(uuid.uuid4())
    first = await api.post("/v1/projects", BODY, idem=key)
    api.clock.advance(60)
    again = await api.post("/v1/projects", BODY, idem=key)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    conflict = await api.post("/v1/projects", {**BODY, "name": "Other"}, idem=key)
    assert error_of(conflict, 409, "IDEMPOTENCY_CONFLICT")["idempotencyKey"] == key
    other_key = await api.new_key(["*"])
    fresh = await api.post(
        "/v1/projects", {**BODY, "customerExternalId": "q2"}, idem=key, key=other_key
    )
    assert fresh.status_code == 201  # records are per API key
    api.clock.advance(24 * 3600 + 1)
    expired = await api.post("/v1/projects", {**BODY, "customerExternalId": "q3"}, idem=key)
    assert expired.status_code == 201
    assert expired.json()["id"] != first.json()["id"]


async def test_idempotency_is_per_route_template_and_path(api: Api) -> None:
    key = str(uuid.uuid4())
    one = (await api.project("a"))["id"]
    two = (await api.project("b"))["id"]
    first = await api.post(f"/v1/projects/{one}/content", {"brief": {"hook": "x"}}, idem=key)
    assert first.status_code == 202
    other_project = await api.post(
        f"/v1/projects/{two}/content", {"brief": {"hook": "x"}}, idem=key
    )
    error_of(other_project, 409, "IDEMPOTENCY_CONFLICT")
    other_route = await api.post(f"/v1/projects/{one}/influencers", {"name": "x"}, idem=key)
    assert other_route.status_code == 202


async def test_failed_requests_are_not_cached(api: Api) -> None:
    key = str(uuid.uuid4())
    bad = await api.post("/v1/projects", {"name": "x"}, idem=key)
    assert bad.status_code == 422
    good = await api.post("/v1/projects", {"name": "x", "timezone": "UTC"}, idem=key)
    assert good.status_code == 201


async def test_concurrent_duplicates_execute_once(open_api: OpenApi) -> None:
    async with open_api(latency_ms=20) as api:
        key = str(uuid.uuid4())
        results = await asyncio.gather(
            *(api.post("/v1/projects", BODY, idem=key) for _ in range(5))
        )
        assert {r.status_code for r in results} == {201}
        assert len({r.json()["id"] for r in results}) == 1
        pid = results[0].json()["id"]
        partner = str(uuid.uuid4())
        body = {"id": partner, "brief": {"hook": "x"}}
        gens = await asyncio.gather(
            *(api.post(f"/v1/projects/{pid}/content", body) for _ in range(3))
        )
        assert len({g.json()["jobId"] for g in gens}) == 1
        listed = (await api.get("/v1/projects")).json()["items"]
        assert len(listed) == 1
        content = (await api.get(f"/v1/projects/{pid}/content")).json()["items"]
        assert len(content) == 1


async def test_rate_limit_tier_enforces_rpm_with_exact_retry_after(open_api: OpenApi) -> None:
    async with open_api(rate_limit_tier="standard") as api:
        assert (await api.get("/v1/whoami")).json()["rateLimitTier"] == "standard"
        statuses = [(await api.get("/v1/projects")).status_code for _ in range(119)]
        assert set(statuses) == {200}
        limited = await api.get("/v1/projects")
        details = error_of(limited, 429, "RATE_LIMITED")
        assert details["endpointClass"] == "read-light"
        assert limited.headers["retry-after"] == "1"
        assert (await api.post("/v1/projects", BODY)).status_code == 201  # separate bucket
        api.clock.advance(int(limited.headers["retry-after"]))
        assert (await api.get("/v1/projects")).status_code == 200
        pid = (await api.get("/v1/projects")).json()
        assert pid is not None
    async with open_api(rate_limit_tier="standard") as api:
        pid = (await api.project())["id"]
        for _ in range(20):
            assert (await api.post(f"/v1/projects/{pid}/content", {"brief": {}})).status_code == 202
        limited = await api.post(f"/v1/projects/{pid}/content", {"brief": {}})
        error_of(limited, 429, "RATE_LIMITED")
        assert limited.headers["retry-after"] == "3"  # 20 rpm: one token every 3 s
        api.clock.advance(3)
        assert (await api.post(f"/v1/projects/{pid}/content", {"brief": {}})).status_code == 202


async def test_no_tier_means_no_limit(api: Api) -> None:
    statuses = {(await api.get("/v1/whoami")).status_code for _ in range(300)}
    assert statuses == {200}


async def test_stats_count_route_templates_and_reset(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.get(f"/v1/projects/{pid}")
    await api.get(f"/v1/projects/prj_{pid}")
    await api.get("/v1/whoami", key=None)
    stats = (await api.client.get("/_emulator/stats")).json()
    assert stats["routes"] == {
        "POST /v1/projects": 1,
        "GET /v1/projects/{id}": 2,
        "GET /v1/whoami": 1,
    }
    assert stats["total"] == 4
    reset = await api.client.post("/_emulator/stats/reset")
    assert reset.json()["total"] == 0
    assert (await api.client.get("/_emulator/stats")).json() == {
        "total": 0,
        "routes": {},
        "faults": reset.json()["faults"],
        "rateLimited": {"total": 0, "byClass": {}},
    }


async def test_state_survives_a_restart_with_a_db(open_api: OpenApi, tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite"
    async with open_api(db=db) as api:
        pid = (await api.project(metadata={"tier": "gold"}))["id"]
        await api.install()
        account = await api.connect(pid)
        cid = await api.content(pid)
        post = (await api.schedule(cid, account, "2027-03-01T22:00:00Z")).json()[
            "scheduledPostIds"
        ][0]
        key = await api.new_key(["projects:read"])
        first = await api.post("/v1/projects", {**BODY, "customerExternalId": "again"}, idem="k-1")
    async with open_api(db=db) as api:
        project = (await api.get(f"/v1/projects/{pid}", key=key)).json()
        assert project["metadata"] == {"tier": "gold"}
        assert (await api.get("/v1/github/installation")).json()["installationId"] == 48271993
        assert (await api.get(f"/v1/content/{cid}")).json()["status"] == "completed"
        assert (await api.get(f"/v1/scheduled-posts/{post}")).json()["status"] == "queued"
        replay = await api.post("/v1/projects", {**BODY, "customerExternalId": "again"}, idem="k-1")
        assert replay.content == first.content
        api.clock.set(api.clock.now() + 400 * 86400)
        published = (await api.get(f"/v1/scheduled-posts/{post}")).json()
        assert published["status"] == "publishing"
