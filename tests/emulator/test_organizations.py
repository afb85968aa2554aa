"""Rev B's organizations control plane and `X-Layers-Organization` (CONTRACT-revb.md §1-§4).

A partner provisions, funds, caps, suspends and archives customers as child organizations, and
acts inside them with its parent key and the header, as the docs' two guides do (§4).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.clock import ManualClock
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.emulator.support import APP_DESCRIPTION, HOOK, ApiB, error_of
from tests.emulator.test_guide_e2e import bearer, emulator

ORGS = "/v1/organizations"
HEADER = "X-Layers-Organization"


def inside(org: str) -> dict[str, str]:
    return {HEADER: org}


async def _open(clock: ManualClock, **settings: Any) -> AsyncIterator[ApiB]:
    app = create_app(EmulatorSettings(api_revision="b", **settings), clock=clock)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
            yield ApiB(c, app, clock)
    finally:
        app.state.emulator.close()


@pytest.fixture
async def strict_b(clock: ManualClock) -> AsyncIterator[ApiB]:
    """Rev B where the docs' silences are answered the other way (see the README)."""
    async for api in _open(
        clock,
        archived_child_status=409,
        suspended_child_header="kill_switch",
        child_idempotency="child",
        child_rate_buckets="child",
        rate_limit_tier="standard",
    ):
        yield api


async def new_child(api: ApiB, name: str = "Acme Coffee", **body: Any) -> str:
    resp = await api.post(ORGS, {"name": name, **body}, idem=f"create-{name}")
    assert resp.status_code == 201, resp.text
    org: str = resp.json()["id"]
    return org


async def fund(api: ApiB, org: str, credits: int, idem: str | None, **body: Any) -> httpx.Response:
    return await api.post(f"{ORGS}/{org}/credits/allocate", {"credits": credits, **body}, idem=idem)


async def project_in(api: ApiB, org: str | None, ext: str = "acme-coffee") -> str:
    body = {
        "name": "Acme Coffee",
        "customerExternalId": ext,
        "timezone": "UTC",
        "appDescription": APP_DESCRIPTION,
    }
    resp = await api.post("/v1/projects", body, headers=inside(org) if org else None)
    assert resp.status_code == 201, resp.text
    project: str = resp.json()["id"]
    return project


async def generate(api: ApiB, project: str, org: str | None, **kw: Any) -> httpx.Response:
    headers = inside(org) if org else None
    return await api.generate_b(project, "slideshow-builder", {"hook": HOOK}, headers=headers, **kw)


async def balance(api: ApiB, org: str | None = None) -> int:
    path = f"{ORGS}/{org}/credits" if org else "/v1/credits"
    resp = await api.get(path)
    assert resp.status_code == 200, resp.text
    held: int = resp.json()["available"]
    return held


async def ledger(api: ApiB, org: str, **params: Any) -> list[dict[str, Any]]:
    resp = await api.get(f"{ORGS}/{org}/credits/events", params=params)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def test_the_provision_and_fund_guide_end_to_end(api_b: ApiB) -> None:
    api = api_b
    parent = (await api.get("/v1/whoami")).json()["organizationId"]
    before = await balance(api)

    # 1. the child, keyed by the partner's metadata
    created = await api.post(
        ORGS,
        {"name": "Acme Coffee", "metadata": {"externalId": "acme-coffee"}},
        idem="create-acme",
    )
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["id"].startswith("org_")
    assert org["parentOrganizationId"] == parent
    assert org["status"] == "active"
    assert org["metadata"] == {"externalId": "acme-coffee"}
    assert org["createdAt"].endswith("+00:00")
    again = await api.post(
        ORGS, {"name": "Acme Coffee", "metadata": {"externalId": "acme-coffee"}}, idem="create-acme"
    )
    assert again.json()["id"] == org["id"]  # a retried create makes no second child

    # 2. a key for the customer's own integration: its secret, once
    minted = await api.post(
        f"{ORGS}/{org['id']}/api-keys",
        {"name": "acme-integration", "scopes": ["content:read", "content:write"]},
        idem="key-acme",
    )
    assert minted.status_code == 201, minted.text
    secret = minted.json()["secret"]
    assert minted.json()["id"].startswith("key_")
    assert minted.json()["organizationId"] == org["id"]
    listed = (await api.get(f"{ORGS}/{org['id']}/api-keys")).json()["items"]
    assert [k["id"] for k in listed] == [minted.json()["id"]]
    assert "secret" not in listed[0]

    # 3. fund it: a transfer, the child's balance after it
    funded = await fund(api, org["id"], 5000, "fund-acme-initial")
    assert funded.status_code == 200, funded.text
    assert funded.json()["id"].startswith("txn_")
    assert funded.json()["balance"] == funded.json()["available"] == 5000
    assert funded.json()["replayed"] is False
    assert await balance(api) == before - 5000

    # spend limits
    config = await api.patch(
        f"{ORGS}/{org['id']}/credit-config",
        {"monthlyCreditCap": 3000, "refillThreshold": 100, "refillAmount": 500},
    )
    assert config.status_code == 200, config.text
    assert config.json()["config"] == {
        "monthlyCreditCap": 3000,
        "refillThreshold": 100,
        "refillAmount": 500,
        "autoRefillEnabled": True,
    }

    # the parent key acts inside the child with the header: a project, content
    project = await project_in(api, org["id"])
    accepted = await generate(api, project, org["id"])
    assert accepted.status_code == 202, accepted.text
    assert await balance(api, org["id"]) == 4950
    assert await balance(api) == before - 5000  # the child's wallet paid, not the parent's
    usage = await ledger(api, org["id"], eventType="usage")
    assert [(e["credits"], e["projectId"]) for e in usage] == [(-50, project)]

    # the child's own key sees its own organization, and the content inside it
    child_me = await api.get("/v1/whoami", key=secret)
    assert child_me.json()["organizationId"] == org["id"]
    assert child_me.json()["parentOrganizationId"] == parent
    container = accepted.json()["containerIds"][0]
    assert (await api.get(f"/v1/content/{container}", key=secret)).status_code == 200

    got = (await api.get(f"{ORGS}/{org['id']}")).json()
    assert got["summary"] == {
        "projectCount": 1,
        "balance": 4950,
        "available": 4950,
        "creditConfig": config.json()["config"],
    }
    page = (await api.get(ORGS)).json()
    assert [o["id"] for o in page["items"]] == [org["id"]]
    assert "summary" not in page["items"][0]


async def test_allocate_moves_credits_once_per_idempotency_key(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    before = await balance(api)
    body = {"description": "onboarding", "metadata": {"transferId": "initial"}}

    first = await fund(api, org, 5000, "ws/acme/initial", **body)
    replay = await fund(api, org, 5000, "ws/acme/initial", **body)
    assert replay.status_code == 200, replay.text
    assert replay.json()["replayed"] is True
    assert replay.json()["id"] == first.json()["id"]
    assert await balance(api, org) == 5000
    assert await balance(api) == before - 5000

    changed = await fund(api, org, 6000, "ws/acme/initial", **body)
    error_of(changed, 409, "IDEMPOTENCY_CONFLICT")
    error_of(await fund(api, org, 5000, None, **body), 400, "IDEMPOTENCY_REQUIRED")
    assert await balance(api, org) == 5000

    # a new key with the same metadata is a new transfer: the API does not dedupe by metadata
    second = await fund(api, org, 5000, "another-key", **body)
    assert second.json()["replayed"] is False
    assert second.json()["id"] != first.json()["id"]
    assert await balance(api, org) == 10000
    assert await balance(api) == before - 10000
    rows = await ledger(api, org, eventType="allocation")
    assert [(r["credits"], r["metadata"]["transferId"]) for r in rows] == [
        (5000, "initial"),
        (5000, "initial"),
    ]
    assert {r["transferId"] for r in rows} == {first.json()["id"], second.json()["id"]}
    assert all(r["description"] == "onboarding" for r in rows)
    assert all(r["metadata"]["direction"] == "in" for r in rows)
    own = (await api.get("/v1/credits/events", params={"eventType": "allocation"})).json()
    assert sorted(e["credits"] for e in own["items"]) == [-5000, -5000]

    # the replay window is 24 hours: past it, the same key is a new transfer (hence the ledger)
    api.clock.advance(24 * 3600 + 1)
    late = await fund(api, org, 5000, "ws/acme/initial", **body)
    assert late.json()["replayed"] is False
    assert await balance(api, org) == 15000

    # more than the parent holds
    error_of(await fund(api, org, 10**9, "too-much"), 402, "BILLING_EXHAUSTED")
    error_of(await fund(api, org, 0, "zero"), 422, "VALIDATION")


async def test_the_ledger_filters_and_pages_newest_first(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    for n in range(5):
        await fund(api, org, 100 + n, f"k{n}")
        api.clock.advance(60)
    first = await api.get(f"{ORGS}/{org}/credits/events", params={"limit": 2})
    page = first.json()
    assert [e["credits"] for e in page["items"]] == [104, 103]
    seen = [e["eventId"] for e in page["items"]]
    while page["nextCursor"]:
        resp = await api.get(
            f"{ORGS}/{org}/credits/events", params={"limit": 2, "cursor": page["nextCursor"]}
        )
        page = resp.json()
        seen += [e["eventId"] for e in page["items"]]
    assert len(set(seen)) == 5
    oldest = (await ledger(api, org))[-1]["createdAt"]
    assert oldest.endswith("Z")
    since = await ledger(api, org, since=oldest)
    assert len(since) == 5
    later = await ledger(api, org, since="2100-01-01T00:00:00Z")
    assert later == []
    offset = await api.get(
        f"{ORGS}/{org}/credits/events", params={"since": "2026-01-01T00:00:00+00:00"}
    )
    error_of(offset, 422, "VALIDATION")
    project = await project_in(api, org)
    assert await ledger(api, org, projectId=project) == []  # org-level rows have no project


async def test_children_are_isolated_from_each_other_and_from_flat_projects(api_b: ApiB) -> None:
    api = api_b
    a, b = await new_child(api, "Acme"), await new_child(api, "Bolt")
    in_a = await project_in(api, a)
    in_b = await project_in(api, b)  # the same customerExternalId: one namespace per org
    flat = await project_in(api, None)

    def ids(resp: httpx.Response) -> list[str]:
        return [p["id"] for p in resp.json()["items"]]

    assert ids(await api.get("/v1/projects", headers=inside(a))) == [in_a]
    assert ids(await api.get("/v1/projects", headers=inside(b))) == [in_b]
    assert ids(await api.get("/v1/projects")) == [flat]
    for project, org in ((in_b, a), (flat, a), (in_a, b)):
        error_of(await api.get(f"/v1/projects/{project}", headers=inside(org)), 404, "NOT_FOUND")
    error_of(await api.get(f"/v1/projects/{in_a}"), 404, "NOT_FOUND")
    influencers = await api.get(f"/v1/projects/{in_a}/influencers", headers=inside(b))
    error_of(influencers, 404, "NOT_FOUND")
    mine = await api.get(f"/v1/projects/{in_a}/influencers", headers=inside(a))
    influencer = mine.json()["items"][0]["influencerId"]
    assert (await api.get(f"/v1/influencers/{influencer}", headers=inside(a))).status_code == 200
    theirs = await api.get(f"/v1/influencers/{influencer}", headers=inside(b))
    error_of(theirs, 404, "NOT_FOUND")
    error_of(await api.get(f"/v1/influencers/{influencer}"), 404, "NOT_FOUND")
    lookup = await api.get("/v1/projects", params={"customerExternalId": "acme-coffee"})
    assert ids(lookup) == [flat]

    # a child key acts inside its own child only, and may not name one
    key = await api.post(f"{ORGS}/{a}/api-keys", {"name": "a", "scopes": ["projects:read"]})
    secret = key.json()["secret"]
    assert ids(await api.get("/v1/projects", key=secret)) == [in_a]
    error_of(await api.get(f"/v1/projects/{in_b}", key=secret), 404, "NOT_FOUND")
    named = await api.get("/v1/projects", key=secret, headers=inside(a))
    error_of(named, 403, "FORBIDDEN_SCOPE")
    error_of(await api.get(ORGS, key=secret), 403, "FORBIDDEN_SCOPE")

    # the header names a direct child, or nothing
    parent = (await api.get("/v1/whoami")).json()["organizationId"]
    error_of(await api.get("/v1/projects", headers=inside(parent)), 404, "NOT_FOUND")
    unknown = "org_00000000-0000-4000-8000-000000000000"
    error_of(await api.get("/v1/projects", headers=inside(unknown)), 404, "NOT_FOUND")
    error_of(await api.get("/v1/projects", headers=inside("acme")), 422, "VALIDATION")
    reader = await api.new_key(["projects:read"])
    error_of(await api.get("/v1/projects", key=reader, headers=inside(a)), 403, "FORBIDDEN_SCOPE")
    error_of(await api.get(ORGS, key=reader), 403, "FORBIDDEN_SCOPE")
    # inside a child, the control plane is the child's: it has no children to make
    nested = await api.post(ORGS, {"name": "Grandchild"}, headers=inside(a))
    error_of(nested, 422, "VALIDATION")


async def test_a_suspended_child_keeps_its_own_keys_out(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    await fund(api, org, 1000, "fund")
    project = await project_in(api, org)
    key = await api.post(f"{ORGS}/{org}/api-keys", {"name": "k", "scopes": ["content:write"]})
    secret = key.json()["secret"]

    suspended = await api.post(f"{ORGS}/{org}/suspend")
    assert suspended.json()["status"] == "suspended"
    assert (await api.post(f"{ORGS}/{org}/suspend")).json()["status"] == "suspended"
    error_of(await api.get("/v1/whoami", key=secret), 503, "KILL_SWITCH")
    error_of(await generate(api, project, None, key=secret), 503, "KILL_SWITCH")
    # the parent still reads and manages it (documented choice), but nothing is spent
    assert (await api.get(f"/v1/projects/{project}", headers=inside(org))).status_code == 200
    error_of(await generate(api, project, org), 503, "KILL_SWITCH")
    assert await balance(api, org) == 1000

    resumed = await api.post(f"{ORGS}/{org}/resume")
    assert resumed.json()["status"] == "active"
    assert (await api.get("/v1/whoami", key=secret)).status_code == 200
    assert (await generate(api, project, None, key=secret)).status_code == 202
    assert await balance(api, org) == 950


async def _scheduled_post(api: ApiB, org: str, ext: str = "acme-coffee") -> tuple[str, str]:
    """Inside `org` (the header on every call): content, an account, a post due in a minute."""
    api.client.headers[HEADER] = org
    try:
        project = await project_in(api, None, ext)
        container = await api.content_b(project, "slideshow-builder", {"hook": HOOK})
        account = await api.connect(project)
        when = datetime.fromtimestamp(api.clock.now() + 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        target = {"socialAccountId": account, "mode": "publish"}
        body = {"scheduledFor": when, "targets": [target]}
        resp = await api.post(f"/v1/content/{container}/schedule", body)
        assert resp.status_code == 200, resp.text
        post: str = resp.json()["scheduledPostIds"][0]
        return project, post
    finally:
        del api.client.headers[HEADER]


async def test_a_suspended_childs_scheduled_posts_hold_until_it_resumes(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    await fund(api, org, 1000, "fund")
    _, post = await _scheduled_post(api, org)
    await api.post(f"{ORGS}/{org}/suspend")

    async def status() -> str:
        resp = await api.get(f"/v1/scheduled-posts/{post}", headers=inside(org))
        assert resp.status_code == 200, resp.text
        found: str = resp.json()["status"]
        return found

    for _ in range(4):
        api.clock.advance(60)
        assert await status() == "queued"
    await api.post(f"{ORGS}/{org}/resume")
    for _ in range(3):
        api.clock.advance(15)
        await api.get("/v1/whoami")
    assert await status() == "published"

    _, later = await _scheduled_post(api, org, "acme-2")
    await api.delete(f"{ORGS}/{org}")
    held = api.emu.store.get("post", later.removeprefix("sp_"))
    assert held is not None
    assert held["status"] == "canceled"


async def test_the_other_choice_kill_switch_and_409_for_archived_children(strict_b: ApiB) -> None:
    api = strict_b
    org = await new_child(api)
    await api.post(f"{ORGS}/{org}/suspend")
    error_of(await api.get("/v1/projects", headers=inside(org)), 503, "KILL_SWITCH")
    assert (await api.get(f"{ORGS}/{org}")).status_code == 200  # the path, not the header
    await api.delete(f"{ORGS}/{org}")
    error_of(await api.get("/v1/projects", headers=inside(org)), 409, "CONFLICT")


async def test_archive_sweeps_the_balance_back_and_revokes_keys(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    before = await balance(api)
    await fund(api, org, 5000, "fund")
    project = await project_in(api, org)
    assert (await generate(api, project, org)).status_code == 202
    key = await api.post(f"{ORGS}/{org}/api-keys", {"name": "k", "scopes": ["content:read"]})
    secret = key.json()["secret"]

    archived = await api.delete(f"{ORGS}/{org}")
    assert archived.status_code == 200, archived.text
    body = archived.json()
    assert body["status"] == "archived"
    assert body["reclaimedCredits"] == 4950
    assert body["revokedApiKeys"] == 1
    assert await balance(api) == before - 50
    assert await balance(api, org) == 0
    error_of(await api.get("/v1/whoami", key=secret), 401, "UNAUTHENTICATED")
    error_of(await api.get("/v1/projects", headers=inside(org)), 404, "NOT_FOUND")
    assert (await api.delete(f"{ORGS}/{org}")).json() == body  # terminal, idempotent by state
    error_of(await api.post(f"{ORGS}/{org}/resume"), 409, "CONFLICT")
    error_of(await fund(api, org, 10, "after"), 409, "CONFLICT")
    listed = (await api.get(ORGS, params={"status": "archived"})).json()["items"]
    assert [o["id"] for o in listed] == [org]
    assert (await api.get(ORGS, params={"status": "active"})).json()["items"] == []
    keys = (await api.get(f"{ORGS}/{org}/api-keys")).json()["items"]
    assert [k["status"] for k in keys] == ["revoked"]


async def test_the_monthly_cap_and_the_wallet_refuse_generation(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    project = await project_in(api, org)
    error_of(await generate(api, project, org), 402, "BILLING_EXHAUSTED")  # an empty wallet
    await fund(api, org, 1000, "fund")
    await api.patch(f"{ORGS}/{org}/credit-config", {"monthlyCreditCap": 100})
    assert (await generate(api, project, org)).status_code == 202
    assert (await generate(api, project, org)).status_code == 202
    capped = error_of(await generate(api, project, org), 402, "BILLING_EXHAUSTED")
    assert capped["monthlyCreditCap"] == 100
    assert await balance(api, org) == 900
    api.clock.advance(32 * 86400)  # a new month
    assert (await generate(api, project, org)).status_code == 202
    cleared = await api.patch(f"{ORGS}/{org}/credit-config", {"monthlyCreditCap": None})
    assert cleared.json()["config"]["monthlyCreditCap"] is None


async def test_auto_refill_tops_the_child_up_from_the_parent(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    project = await project_in(api, org)
    await fund(api, org, 120, "fund")
    before = await balance(api)
    patched = await api.patch(
        f"{ORGS}/{org}/credit-config", {"refillThreshold": 100, "refillAmount": 200}
    )
    assert patched.json()["config"]["autoRefillEnabled"] is True
    assert (await generate(api, project, org)).status_code == 202  # 120 → 70 < 100: refill
    assert await balance(api, org) == 270
    assert await balance(api) == before - 200
    refills = [e for e in await ledger(api, org, eventType="allocation") if e["credits"] == 200]
    assert refills[0]["metadata"]["reason"] == "auto_refill"


async def test_threshold_and_amount_are_set_together_or_not_at_all(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    path = f"{ORGS}/{org}/credit-config"
    alone = await api.patch(path, {"refillThreshold": 100})
    assert "refillAmount" in [i["path"] for i in error_of(alone, 422, "VALIDATION")["issues"]]
    assert (await api.patch(path, {"refillThreshold": 100, "refillAmount": 50})).status_code == 200
    error_of(await api.patch(path, {"refillAmount": None}), 422, "VALIDATION")
    both = await api.patch(path, {"refillThreshold": None, "refillAmount": None})
    assert both.json()["config"]["autoRefillEnabled"] is False
    error_of(await api.patch(path, {"refillAmount": 0}), 422, "VALIDATION")


async def test_patch_merges_metadata_per_key(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api, metadata={"externalId": "acme", "plan": "pro"})
    path = f"{ORGS}/{org}"
    merged = await api.patch(path, {"metadata": {"plan": "", "ws": "main"}})
    assert merged.json()["metadata"] == {"externalId": "acme", "ws": "main"}
    assert (await api.patch(path, {"name": "Acme Coffee Co"})).json()["metadata"] == {
        "externalId": "acme",
        "ws": "main",
    }
    error_of(await api.patch(path, {"metadata": {"plan": None}}), 422, "VALIDATION")
    error_of(await api.patch(path, {"metadata": {"k" * 41: "v"}}), 422, "VALIDATION")
    many = {f"k{n}": "v" for n in range(49)}
    error_of(await api.patch(path, {"metadata": many}), 422, "VALIDATION")  # 51 after the merge
    assert (await api.patch(path, {"metadata": None})).json()["metadata"] == {}


async def test_migrate_moves_a_flat_project_all_or_nothing(api_b: ApiB) -> None:
    api = api_b
    flat = await project_in(api, None)  # appDescription: its first influencer's job runs
    other = await project_in(api, None, ext="bolt")
    mapping = {"mapping": {flat: "Acme Coffee", other: "Acme Coffee"}}
    refused = await api.post(f"{ORGS}/migrate", mapping)
    assert flat in error_of(refused, 409, "CONFLICT")["projectIds"]
    assert (await api.get(f"/v1/projects/{flat}")).status_code == 200
    assert (await api.get(ORGS)).json()["items"] == []

    api.clock.advance(600)  # the jobs end
    moved = await api.post(f"{ORGS}/migrate", mapping, idem="migrate-acme")
    assert moved.status_code == 201, moved.text
    body = moved.json()
    assert body["projectsMoved"] == 2
    assert body["childrenCreated"] == 1
    (child,) = body["children"]
    assert child["name"] == "Acme Coffee"
    assert sorted(child["projectIds"]) == sorted([flat, other])
    error_of(await api.get(f"/v1/projects/{flat}"), 404, "NOT_FOUND")
    inside_child = await api.get(f"/v1/projects/{flat}", headers=inside(child["id"]))
    assert inside_child.status_code == 200
    again = await api.post(f"{ORGS}/migrate", mapping, idem="migrate-acme")
    assert again.json() == body  # replayed: nothing moves twice
    error_of(await api.post(f"{ORGS}/migrate", mapping), 404, "NOT_FOUND")  # no longer flat

    # into a named, existing child
    third = await project_in(api, None, ext="cafe")
    api.clock.advance(600)
    named = await api.post(f"{ORGS}/migrate", {"mapping": {third: child["id"]}})
    assert named.status_code == 201, named.text
    assert named.json()["childrenCreated"] == 0
    assert named.json()["children"] == [
        {"id": child["id"], "name": "Acme Coffee", "projectIds": [third]}
    ]


async def test_child_keys_rotate_with_grace_and_delete_at_once(api_b: ApiB) -> None:
    api = api_b
    org = await new_child(api)
    path = f"{ORGS}/{org}/api-keys"
    error_of(await api.post(path, {"name": "k", "scopes": ["org:admin"]}), 403, "FORBIDDEN_SCOPE")
    error_of(await api.post(path, {"name": "k", "scopes": []}), 422, "VALIDATION")
    limited = await api.new_key(["org:admin", "content:read"])
    beyond = await api.post(path, {"name": "k", "scopes": ["content:write"]}, key=limited)
    error_of(beyond, 403, "FORBIDDEN_SCOPE")

    first = (await api.post(path, {"name": "k", "scopes": ["content:read"], "env": "test"})).json()
    assert first["rateLimitTier"] == "sandbox"
    rotated = await api.post(f"{path}/{first['id']}/rotate")
    assert rotated.status_code == 201, rotated.text
    second = rotated.json()
    assert second["id"] != first["id"]
    assert second["scopes"] == ["content:read"]
    assert (await api.get("/v1/whoami", key=first["secret"])).status_code == 200  # grace
    error_of(await api.post(f"{path}/{first['id']}/rotate"), 409, "CONFLICT")
    api.clock.advance(24 * 3600 + 1)
    error_of(await api.get("/v1/whoami", key=first["secret"]), 401, "UNAUTHENTICATED")

    deleted = await api.delete(f"{path}/{second['id']}")
    assert deleted.json()["deleted"] is True
    assert deleted.json()["apiKey"]["status"] == "revoked"
    error_of(await api.get("/v1/whoami", key=second["secret"]), 401, "UNAUTHENTICATED")
    assert (await api.delete(f"{path}/{second['id']}")).json() == deleted.json()
    other = await new_child(api, "Other")
    error_of(await api.delete(f"{ORGS}/{other}/api-keys/{second['id']}"), 404, "NOT_FOUND")


async def test_the_other_choice_namespaces_per_child(strict_b: ApiB) -> None:
    """child_idempotency="child": one Idempotency-Key reused in two children makes two projects;
    child_rate_buckets="child": one child's burst does not spend another's bucket."""
    api = strict_b
    a, b = await new_child(api, "A"), await new_child(api, "B")
    body = {"name": "Acme Coffee", "customerExternalId": "x", "timezone": "UTC"}
    one = await api.post("/v1/projects", body, idem="same", headers=inside(a))
    two = await api.post("/v1/projects", body, idem="same", headers=inside(b))
    assert one.json()["id"] != two.json()["id"]
    for _ in range(120):  # the standard tier's read-light minute
        await api.get("/v1/projects", headers=inside(a))
    error_of(await api.get("/v1/projects", headers=inside(a)), 429, "RATE_LIMITED")
    assert (await api.get("/v1/projects", headers=inside(b))).status_code == 200


async def test_by_default_a_parent_key_shares_one_namespace_across_children(api_b: ApiB) -> None:
    api = api_b
    a, b = await new_child(api, "A"), await new_child(api, "B")
    body = {"name": "Acme Coffee", "customerExternalId": "x", "timezone": "UTC"}
    one = await api.post("/v1/projects", body, idem="same", headers=inside(a))
    two = await api.post("/v1/projects", body, idem="same", headers=inside(b))
    assert two.headers["idempotent-replayed"] == "true"
    assert two.json()["id"] == one.json()["id"]  # the replay of child A's answer
    assert (await api.get("/v1/projects", headers=inside(b))).json()["items"] == []


@pytest.mark.slow
def test_the_cli_takes_the_other_choices() -> None:
    flags = ("--suspended-child-header", "kill_switch", "--archived-child-status", "409")
    with emulator("--api-revision", "b", *flags) as (url, _), httpx.Client(base_url=url) as c:
        org = c.post(ORGS, json={"name": "Acme"}, headers=bearer()).json()["id"]
        assert c.post(f"{ORGS}/{org}/suspend", headers=bearer()).status_code == 200
        held = c.get("/v1/projects", headers={**bearer(), **inside(org)})
        assert held.json()["error"]["code"] == "KILL_SWITCH"
        assert c.delete(f"{ORGS}/{org}", headers=bearer()).status_code == 200
        gone = c.get("/v1/projects", headers={**bearer(), **inside(org)})
        assert gone.status_code == 409
