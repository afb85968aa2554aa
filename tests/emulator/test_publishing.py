"""Contract tests: schedule, the approval gate, scheduled posts and the publish dispatcher."""

from __future__ import annotations

import uuid
from datetime import datetime

from tests.emulator.support import Api, error_of, issue_paths

WHEN = "2026-04-18T22:00:00Z"


async def _ready(api: Api, gate: bool = False) -> tuple[str, str, str]:
    pid = (await api.project())["id"]
    if gate:
        await api.gate(pid)
    account = await api.connect(pid, handle="quinnscoffee")
    return pid, account, await api.content(pid)


async def test_schedule_returns_the_guide_body_and_publishes(api: Api) -> None:
    _, account, cid = await _ready(api)
    resp = await api.schedule(cid, account, WHEN)
    assert resp.status_code == 200
    body = resp.json()
    assert body["gateStatus"] == "queued"
    assert body["scheduledFor"] == WHEN
    (post_id,) = body["scheduledPostIds"]
    assert post_id.startswith("sp_")
    post = (await api.get(f"/v1/scheduled-posts/{post_id}")).json()
    assert post["status"] == "queued"
    assert post["containerId"] == cid
    assert post["socialAccountId"] == account
    assert post["platform"] == "tiktok"
    assert post["mode"] == "direct_publish"
    assert post["scheduledFor"] == WHEN
    api.clock.set(datetime.fromisoformat(WHEN).timestamp())
    assert (await api.get(f"/v1/scheduled-posts/{post_id}")).json()["status"] == "publishing"
    api.clock.advance(11)
    post = (await api.get(f"/v1/scheduled-posts/{post_id}")).json()
    assert post["status"] == "published"
    assert post["externalUrl"] == f"https://www.tiktok.com/@quinnscoffee/video/{post['externalId']}"
    assert post["publishedAt"].startswith("2026-04-18T22:00:1")


async def test_a_past_time_publishes_on_the_next_tick(api: Api) -> None:
    _, account, cid = await _ready(api)
    post_id = (await api.schedule(cid, account, "2020-01-01T00:00:00Z")).json()["scheduledPostIds"][
        0
    ]
    assert (await api.get(f"/v1/scheduled-posts/{post_id}")).json()["status"] == "publishing"


async def test_partner_scheduled_post_id_is_idempotent(api: Api) -> None:
    pid, account, cid = await _ready(api)
    sp = str(uuid.uuid4())
    first = await api.schedule(cid, account, WHEN, scheduledPostId=sp)
    again = await api.schedule(cid, account, WHEN, scheduledPostId=f"sp_{sp}")
    assert first.json()["scheduledPostIds"] == again.json()["scheduledPostIds"] == [f"sp_{sp}"]
    posts = (await api.get(f"/v1/projects/{pid}/scheduled-posts")).json()["items"]
    assert len(posts) == 1
    other = await api.content(pid)
    clash = await api.schedule(other, account, WHEN, scheduledPostId=sp)
    error_of(clash, 409, "CONFLICT")


async def test_gate_blocks_stores_the_intent_and_promotes_on_approve(api: Api) -> None:
    pid, account, cid = await _ready(api, gate=True)
    sp = str(uuid.uuid4())
    blocked = await api.schedule(cid, account, WHEN, scheduledPostId=sp)
    assert blocked.status_code == 202
    assert blocked.json()["gateStatus"] == "blocked_on_approval"
    assert blocked.json()["scheduledPostIds"] == []
    later = "2026-04-19T22:00:00Z"
    replaced = await api.schedule(cid, account, later, scheduledPostId=sp)
    assert replaced.status_code == 202
    intents = (await api.get(f"/v1/content/{cid}")).json()["pendingScheduleIntents"]
    assert [(i["scheduledPostId"], i["scheduledFor"]) for i in intents] == [(f"sp_{sp}", later)]
    assert (await api.get(f"/v1/projects/{pid}/scheduled-posts")).json()["items"] == []
    approved = (await api.post(f"/v1/content/{cid}/approve")).json()
    assert approved["pendingSchedulePromotion"] == {
        "status": "ok",
        "scheduledPostIds": [f"sp_{sp}"],
    }
    post = (await api.get(f"/v1/scheduled-posts/{sp}")).json()
    assert post["status"] == "queued"
    assert post["scheduledFor"] == later
    assert (await api.get(f"/v1/content/{cid}")).json()["pendingScheduleIntents"] == []


async def test_gate_promotion_fails_when_the_account_is_gone(api: Api) -> None:
    _, account, cid = await _ready(api, gate=True)
    await api.schedule(cid, account, WHEN)
    await api.delete(f"/v1/social-accounts/{account}")
    approved = (await api.post(f"/v1/content/{cid}/approve")).json()
    assert approved["approvalStatus"] == "approved"
    assert approved["pendingSchedulePromotion"]["status"] == "failed"


async def test_rejected_and_unfinished_content_cannot_be_scheduled(api: Api) -> None:
    pid, account, cid = await _ready(api, gate=True)
    await api.post(f"/v1/content/{cid}/reject", {"reason": "no"})
    error_of(await api.schedule(cid, account, WHEN), 409, "CONTENT_REJECTED")
    running = (await api.generate(pid))["containerIds"][0]
    error_of(await api.schedule(running, account, WHEN), 409, "CONFLICT")


async def test_publish_now_needs_approval(api: Api) -> None:
    _, account, cid = await _ready(api, gate=True)
    target = {"targets": [{"socialAccountId": account, "mode": "direct_publish"}]}
    error_of(await api.post(f"/v1/content/{cid}/publish", target), 403, "APPROVAL_REQUIRED")
    await api.post(f"/v1/content/{cid}/approve")
    resp = await api.post(f"/v1/content/{cid}/publish", target)
    assert resp.status_code == 200
    assert resp.json()["gateStatus"] == "queued"


async def test_schedule_validation_names_fields(api: Api) -> None:
    pid, _account, cid = await _ready(api)
    ig = await api.connect(pid, platform="instagram")
    resp = await api.post(
        f"/v1/content/{cid}/schedule",
        {
            "targets": [
                {"socialAccountId": ig, "mode": "direct_publish"},
                {"socialAccountId": f"sa_{uuid.uuid4()}", "mode": "reels"},
                {"mode": "fax"},
            ],
            "scheduledFor": "tomorrow",
        },
    )
    error_of(resp, 422, "VALIDATION")
    assert set(issue_paths(resp)) == {
        "scheduledFor",
        "targets[0].mode",
        "targets[1].socialAccountId",
        "targets[2].socialAccountId",
        "targets[2].mode",
    }
    assert issue_paths(
        await api.post(f"/v1/content/{cid}/schedule", {"scheduledFor": WHEN, "targets": []})
    ) == ["targets"]


async def test_list_filters_and_paginates_scheduled_posts(api: Api) -> None:
    pid, account, cid = await _ready(api)
    ids = []
    for day in (1, 2, 3):
        resp = await api.schedule(cid, account, f"2027-03-0{day}T22:00:00Z")
        ids.append(resp.json()["scheduledPostIds"][0])
    page = (await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"limit": "2"})).json()
    assert [p["id"] for p in page["items"]] == [ids[2], ids[1]]
    item = page["items"][0]
    assert set(item) >= {
        "containerId",
        "socialAccountId",
        "platform",
        "mode",
        "scheduledFor",
        "status",
    }
    rest = (
        await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"cursor": page["nextCursor"]})
    ).json()
    assert [p["id"] for p in rest["items"]] == [ids[0]]
    await api.delete(f"/v1/scheduled-posts/{ids[0]}")
    queued = (
        await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"status": "queued"})
    ).json()
    assert {p["id"] for p in queued["items"]} == {ids[1], ids[2]}
    window = {"since": "2027-03-02T00:00:00Z", "until": "2027-03-02T23:59:59Z"}
    only = (await api.get(f"/v1/projects/{pid}/scheduled-posts", params=window)).json()
    assert [p["id"] for p in only["items"]] == [ids[1]]
    by_account = (
        await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"socialAccountId": account})
    ).json()
    assert len(by_account["items"]) == 3
    assert issue_paths(
        await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"status": "x"})
    ) == ["status"]


async def test_reschedule_and_cancel(api: Api) -> None:
    _, account, cid = await _ready(api)
    post_id = (await api.schedule(cid, account, "2027-03-01T22:00:00Z")).json()["scheduledPostIds"][
        0
    ]
    resp = await api.post(
        f"/v1/scheduled-posts/{post_id}/reschedule", {"scheduledFor": "2027-03-02T08:00:00Z"}
    )
    assert resp.status_code == 200
    assert resp.json() == {
        "id": post_id,
        "status": "queued",
        "scheduledFor": "2027-03-02T08:00:00Z",
        "updatedAt": resp.json()["updatedAt"],
    }
    soon = await api.post(
        f"/v1/scheduled-posts/{post_id}/reschedule", {"scheduledFor": "2026-04-18T17:00:10Z"}
    )
    assert issue_paths(soon) == ["scheduledFor"]
    canceled = await api.delete(f"/v1/scheduled-posts/{post_id}")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    error_of(await api.delete(f"/v1/scheduled-posts/{post_id}"), 409, "CONFLICT")
    late = await api.post(
        f"/v1/scheduled-posts/{post_id}/reschedule", {"scheduledFor": "2027-03-03T08:00:00Z"}
    )
    error_of(late, 409, "CONFLICT")
    error_of(await api.get(f"/v1/scheduled-posts/{uuid.uuid4()}"), 404, "NOT_FOUND")


async def test_a_post_on_an_expired_account_fails_with_last_error(api: Api) -> None:
    _, account, cid = await _ready(api)
    post_id = (await api.schedule(cid, account, WHEN)).json()["scheduledPostIds"][0]
    await api.client.post(f"/_emulator/social-accounts/{account}/expire")
    api.clock.advance(6 * 3600)
    post = (await api.get(f"/v1/scheduled-posts/{post_id}")).json()
    assert post["status"] == "failed"
    assert post["lastError"]["code"] == "CREDENTIAL_INVALID"


async def test_revoking_during_publishing_fails_the_post(api: Api) -> None:
    _, account, cid = await _ready(api)
    post_id = (await api.schedule(cid, account, "2020-01-01T00:00:00Z")).json()["scheduledPostIds"][
        0
    ]
    assert (await api.get(f"/v1/scheduled-posts/{post_id}")).json()["status"] == "publishing"
    await api.delete(f"/v1/social-accounts/{account}")
    api.clock.advance(11)
    post = (await api.get(f"/v1/scheduled-posts/{post_id}")).json()
    assert post["status"] == "failed"
    assert post["lastError"]["code"] == "CREDENTIAL_INVALID"
