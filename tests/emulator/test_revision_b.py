"""`--api-revision b`: a customer onboarded end to end by a client that speaks only Rev B.

The client does what CONTRACT-revb.md §6 and §11 (Layers' own MCP server) say a Rev B client
does: Bearer auth, prefixed ids, the per-format generation routes, /content-review-policy,
publishing modes `publish | draft | managed`. On a Rev A emulator most of these calls miss.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from layers_reconcile.emulator.settings import DEV_API_KEY, EmulatorSettings
from tests.emulator.support import (
    APP_DESCRIPTION,
    HOOK,
    KEY,
    QUINN_REPO,
    TIKTOK_VIDEO,
    ApiB,
    error_of,
)
from tests.emulator.test_guide_e2e import bearer, emulator


def _soon(api: ApiB, seconds: float = 60) -> str:
    return datetime.fromtimestamp(api.clock.now() + seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _let_posts_settle(api: ApiB) -> None:
    """Queued → publishing → published (10 s each way): a few requests, the clock moving."""
    for _ in range(3):
        api.clock.advance(15)
        assert (await api.get("/v1/whoami")).status_code == 200


async def test_a_rev_b_client_onboards_a_customer_end_to_end(api_b: ApiB) -> None:
    api = api_b
    me = (await api.get("/v1/whoami")).json()
    assert me["organizationId"].startswith("org_")
    assert me["workspaceId"] == me["organizationId"]
    assert me["parentOrganizationId"] is None
    assert me["apiKeyId"].startswith("key_")
    assert "killSwitch" not in me

    # 1. the project, with its brand on it; appDescription starts the first influencer
    project = await api.project(
        appName="Quinns Coffee",
        appDescription=APP_DESCRIPTION,
        tagline="Skip the line.",
        brandVoice="warm",
        targetGender="female",
        metadata={"crm": {"tier": "gold"}},
    )
    pid = project["id"]
    assert pid.startswith("prj_")
    assert project["organizationId"] == me["organizationId"]
    assert (project["appName"], project["brandVoice"], project["targetGender"]) == (
        "Quinns Coffee",
        "warm",
        "female",
    )
    # The review policy, never set (auto_approve), on the row; Rev A's counter and timer are not.
    assert (project["requiresApproval"], project["firstNPostsBlocked"]) == (False, None)
    assert not {"currentBlockedCount", "autoApproveAfter", "approvalPolicy"} & project.keys()
    first = (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"]
    assert [(i["gender"], i["status"]) for i in first] == [("female", "pending")]
    assert first[0]["name"]  # Layers names it
    bare = pid.removeprefix("prj_")
    assert (await api.get(f"/v1/projects/{bare}")).json()["id"] == pid

    # 2. GitHub: register the installation, ingest (the brand and the app-demo media)
    job = await api.ingest(pid, QUINN_REPO)
    assert job["status"] == "completed", job
    assert job["projectId"] == pid
    brand = (await api.get(f"/v1/projects/{pid}")).json()
    assert brand["ingestState"]["github"]["status"] == "completed"

    # 3. an influencer from hints only
    resp = await api.post(
        f"/v1/projects/{pid}/influencers",
        {"gender": "male", "ageRange": "adult", "prompt": "barista energy"},
    )
    assert resp.status_code == 202, resp.text
    leo = resp.json()["influencerId"]
    await api.finish(resp.json()["jobId"], 120)
    influencer = (await api.get(f"/v1/influencers/{leo}")).json()
    assert (influencer["status"], influencer["gender"], influencer["ageRange"]) == (
        "ready",
        "male",
        "adult",
    )
    assert influencer["name"]

    # 4. review the first item, then let the rest through
    policy = await api.policy(pid, "review_first_n", 1)
    assert policy == {
        "projectId": pid,
        "policy": "review_first_n",
        "firstN": 1,
        "pendingCount": 0,
        "updatedAt": policy["updatedAt"],
    }

    # 5. connect TikTok
    account = await api.connect(pid, "tiktok", "quinnscoffee")
    assert account.startswith("sa_")

    # 6. slideshow-builder: one container, a job, its progress; it waits for review
    bank = (await api.get(f"/v1/projects/{pid}/content/hooks")).json()["hooks"]
    assert len(bank) >= 10
    hook = bank[0]
    resp = await api.generate_b(pid, "slideshow-builder", {"hook": hook, "influencerId": leo})
    assert resp.status_code == 202, resp.text
    accepted = resp.json()
    assert accepted["jobId"].startswith("job_")
    assert accepted["locationUrl"] == f"/v1/jobs/{accepted['jobId']}"
    assert accepted["format"] == "slideshow-builder"
    (builder,) = accepted["containerIds"]
    assert builder.startswith("cnt_")
    running = (await api.get(f"/v1/content/{builder}/progress")).json()
    assert running["status"] in ("queued", "processing")
    assert running["etaSeconds"] > 0
    await api.finish(accepted["jobId"], 181)
    done = (await api.get(f"/v1/content/{builder}/progress")).json()
    assert (done["status"], done["stageProgress"], done["etaSeconds"]) == ("completed", 1.0, 0)
    content = (await api.get(f"/v1/content/{builder}")).json()
    assert (content["format"], content["approvalStatus"], content["hook"]) == (
        "slideshow-builder",
        "pending",
        hook,
    )
    assert content["projectId"] == pid

    # 7. scheduling it waits for approval; approving promotes the schedule
    when = _soon(api)
    target = {"socialAccountId": account, "mode": "publish"}
    blocked = await api.post(
        f"/v1/content/{builder}/schedule", {"scheduledFor": when, "targets": [target]}
    )
    assert blocked.status_code == 202, blocked.text
    assert blocked.json()["gateStatus"] == "blocked_on_approval"
    approved = await api.post(f"/v1/content/{builder}/approve", {"note": "ship it"})
    assert approved.status_code == 200, approved.text
    promotion = approved.json()["pendingSchedulePromotion"]
    assert promotion["status"] == "ok"
    (published_post,) = promotion["scheduledPostIds"]
    again = await api.post(f"/v1/content/{builder}/approve", {})
    assert error_of(again, 409, "CONFLICT")["approvalStatus"] == "approved"

    # 8. the three other formats: the gate has cleared, so they need no review
    sources = f"/v1/projects/{pid}/content/source-recommendations"
    slides = (await api.get(sources, params={"kind": "slideshow"})).json()["items"]
    videos = (await api.get(sources, params={"kind": "video", "limit": 5})).json()["items"]
    assert {p["kind"] for p in slides} == {"slideshow"}
    assert len(videos) == 5
    remixes = {
        "slideshow-remix": {"tiktokVideoId": slides[0]["tiktokId"], "socialAccountId": account},
        "video-remix": {"tiktokVideoId": videos[0]["tiktokId"], "influencerId": leo},
        "ugc-remix": {"influencerId": leo, "hook": HOOK},
    }
    made = {route: await api.content_b(pid, route, body) for route, body in remixes.items()}
    for route, cid in made.items():
        item = (await api.get(f"/v1/content/{cid}")).json()
        assert (item["format"], item["approvalStatus"], item["status"]) == (
            route,
            "not_required",
            "completed",
        )
    ugc = (await api.get(f"/v1/content/{made['ugc-remix']}")).json()
    assert ugc["brief"]["mediaId"].startswith("med_")
    refused = await api.post(f"/v1/content/{made['video-remix']}/approve", {})
    assert error_of(refused, 409, "CONFLICT")["approvalStatus"] == "not_required"

    # 9. one publishes, one goes to the creator's drafts
    drafted = await api.post(
        f"/v1/content/{made['video-remix']}/schedule",
        {"scheduledFor": when, "targets": [{"socialAccountId": account, "mode": "draft"}]},
    )
    assert drafted.status_code == 200, drafted.text
    (draft_post,) = drafted.json()["scheduledPostIds"]
    await _let_posts_settle(api)
    post = (await api.get(f"/v1/scheduled-posts/{published_post}")).json()
    assert post["status"] == "published"
    assert post["externalUrl"].startswith("https://www.tiktok.com/@quinnscoffee/")
    draft = (await api.get(f"/v1/scheduled-posts/{draft_post}")).json()
    assert (draft["status"], draft["mode"]) == ("draft", "draft")
    drafts = await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"status": "draft"})
    assert [p["id"] for p in drafts.json()["items"]] == [draft_post]

    # 10. the list speaks hyphenated formats; credits went per format
    listed = await api.get(f"/v1/projects/{pid}/content", params={"format": "ugc-remix"})
    assert [(c["id"], c["format"]) for c in listed.json()["items"]] == [
        (made["ugc-remix"], "ugc-remix")
    ]
    credits = (await api.get("/v1/credits")).json()
    assert credits["usedThisPeriod"] == 50 + 50 + 120 + 120


async def _ready_project(api: ApiB, **extra: Any) -> tuple[str, str]:
    """A project with an appDescription, an ingested repo and a ready influencer."""
    pid = (await api.project(appDescription=APP_DESCRIPTION, **extra))["id"]
    await api.ingest(pid, QUINN_REPO)
    influencers = (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"]
    return pid, influencers[0]["influencerId"]


async def test_bearer_is_the_only_way_in(api_b: ApiB) -> None:
    api = api_b
    alone = await api.get("/v1/whoami", key=None, headers={"X-Api-Key": KEY})
    error_of(alone, 401, "UNAUTHENTICATED")
    assert (await api.get("/v1/whoami")).status_code == 200
    reader = await api.new_key(["content:read"])
    pid = (await api.project())["id"]
    denied = await api.post(
        f"/v1/projects/{pid}/content/slideshow-builder", {"hook": HOOK}, key=reader
    )
    assert error_of(denied, 403, "FORBIDDEN_SCOPE")["requiredScopes"] == ["content:write"]


async def test_the_rev_a_only_routes_are_not_found(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    generic = await api.post(
        f"/v1/projects/{pid}/content", {"format": "auto", "brief": {"hook": HOOK}}
    )
    error_of(generic, 404, "NOT_FOUND")
    error_of(await api.get(f"/v1/projects/{pid}/approval-policy"), 404, "NOT_FOUND")
    error_of(
        await api.patch(f"/v1/projects/{pid}/approval-policy", {"requiresApproval": True}),
        404,
        "NOT_FOUND",
    )
    cid = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    error_of(await api.post(f"/v1/content/{cid}/regenerate", {}), 404, "NOT_FOUND")


async def test_each_generation_route_validates_its_body(api_b: ApiB) -> None:
    api = api_b
    pid, influencer = await _ready_project(api)

    async def issues(route: str, body: Any) -> list[tuple[str, str]]:
        resp = await api.generate_b(pid, route, body)
        details = error_of(resp, 422, "VALIDATION")
        return [(i["path"], i["message"]) for i in details["issues"]]

    assert await issues("slideshow-builder", {}) == [("hook", "is required")]
    assert await issues("slideshow-builder", {"hook": "x" * 2001}) == [
        ("hook", "must be at most 2000 characters")
    ]
    assert await issues("video-remix", {"influencerId": influencer}) == [
        ("tiktokVideoId", "is required")
    ]
    assert await issues("slideshow-remix", {"tiktokVideoId": TIKTOK_VIDEO}) == [
        ("", "one of socialAccountId or influencerId is required")
    ]
    assert await issues("ugc-remix", {"influencerId": "inf_not-an-id"}) == [
        ("influencerId", "is not an influencer of this project")
    ]
    assert await issues("ugc-remix", {"influencerId": influencer, "mediaId": "med_x"}) == [
        ("mediaId", "is not a media of this project")
    ]
    # a layerless slideshow needs neither an account nor an influencer
    assert (await api.generate_b(pid, "slideshow-builder", {"hook": HOOK})).status_code == 202


async def test_slideshow_remix_needs_a_slideshow(api_b: ApiB) -> None:
    api = api_b
    pid, influencer = await _ready_project(api)
    sources = f"/v1/projects/{pid}/content/source-recommendations"
    video = (await api.get(sources, params={"kind": "video"})).json()["items"][0]["tiktokId"]
    body = {"tiktokVideoId": video, "influencerId": influencer}
    details = error_of(await api.generate_b(pid, "slideshow-remix", body), 422, "VALIDATION")
    assert details["code"] == "NOT_A_SLIDESHOW"
    assert (await api.generate_b(pid, "video-remix", body)).status_code == 202


async def test_ugc_remix_needs_the_app_demo_media(api_b: ApiB) -> None:
    api = api_b
    pid = (await api.project(appDescription=APP_DESCRIPTION))["id"]
    influencer = (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"][0]
    resp = await api.generate_b(pid, "ugc-remix", {"influencerId": influencer["influencerId"]})
    details = error_of(resp, 422, "VALIDATION")
    assert details["code"] == "MISSING_APP_DEMO"
    no_brand = (await api.project("no-description"))["id"]
    builder = await api.generate_b(no_brand, "slideshow-builder", {"hook": HOOK})
    assert error_of(builder, 422, "VALIDATION")["code"] == "MISSING_APP_DESCRIPTION"


async def test_generation_is_refused_when_credits_are_short(api_b: ApiB) -> None:
    api = api_b
    pid, influencer = await _ready_project(api)
    api.emu.store.put("org", {"id": api.emu.org_id, "creditsUsed": 100_000 - 100})
    assert (await api.generate_b(pid, "slideshow-builder", {"hook": HOOK})).status_code == 202
    short = await api.generate_b(
        pid, "video-remix", {"tiktokVideoId": TIKTOK_VIDEO, "influencerId": influencer}
    )
    details = error_of(short, 402, "BILLING_EXHAUSTED")
    assert (details["requiredCredits"], details["available"]) == (120, 50)
    assert (await api.get("/v1/credits")).json()["available"] == 50


async def test_the_review_policy_and_one_way_reject(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    path = f"/v1/projects/{pid}/content-review-policy"
    never_set = (await api.get(path)).json()
    assert never_set == {"projectId": pid, "policy": "auto_approve", "pendingCount": 0}
    for bad in (
        {"policy": "review_first_n"},
        {"policy": "review_all", "firstN": 3},
        {"policy": "review_first_n", "firstN": 51},
        {"policy": "sometimes"},
    ):
        error_of(await api.patch(path, bad), 422, "VALIDATION")
    free = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    not_required = await api.post(f"/v1/content/{free}/reject", {"reason": "off brand"})
    assert error_of(not_required, 409, "CONFLICT")["approvalStatus"] == "not_required"

    await api.policy(pid, "review_all")
    cid = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    assert (await api.get(path)).json()["pendingCount"] == 1
    error_of(await api.post(f"/v1/content/{cid}/reject", {}), 422, "VALIDATION")
    rejected = await api.post(f"/v1/content/{cid}/reject", {"reason": "off brand"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["approvalStatus"] == "rejected"
    for action, body in (("reject", {"reason": "again"}), ("approve", {})):
        resp = await api.post(f"/v1/content/{cid}/{action}", body)
        assert error_of(resp, 409, "CONFLICT")["approvalStatus"] == "rejected"
    assert (await api.get(path)).json()["pendingCount"] == 0


async def test_the_project_row_shows_the_review_policy(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    shown = []
    for policy, first_n in (("review_first_n", 4), ("review_all", None), ("auto_approve", None)):
        await api.policy(pid, policy, first_n)
        row = (await api.get(f"/v1/projects/{pid}")).json()
        shown.append((row["requiresApproval"], row["firstNPostsBlocked"]))
    assert shown == [(True, 4), (True, None), (False, None)]


async def test_review_first_n_counts_what_left_pending(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    await api.policy(pid, "review_first_n", 2)
    one = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    two = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    three = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    statuses = [(await api.get(f"/v1/content/{c}")).json()["approvalStatus"] for c in (one, two)]
    assert statuses == ["pending", "pending"]
    # nothing has left pending yet: the third is gated too
    assert (await api.get(f"/v1/content/{three}")).json()["approvalStatus"] == "pending"
    await api.post(f"/v1/content/{one}/approve", {})
    await api.post(f"/v1/content/{two}/reject", {"reason": "no"})
    four = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    assert (await api.get(f"/v1/content/{four}")).json()["approvalStatus"] == "not_required"


async def test_rev_b_project_fields_and_limits(api_b: ApiB) -> None:
    api = api_b
    short = await api.post("/v1/projects", {"name": "Qc", "timezone": "UTC"})
    assert [i["path"] for i in error_of(short, 422, "VALIDATION")["issues"]] == ["name"]
    long_name = await api.post("/v1/projects", {"name": "Q" * 31, "timezone": "UTC"})
    error_of(long_name, 422, "VALIDATION")
    bad = await api.post(
        "/v1/projects",
        {
            "name": "Quinns",
            "timezone": "UTC",
            "appDescription": "too short",
            "tagline": "t" * 81,
            "brandVoice": "loud",
            "targetGender": "other",
        },
    )
    paths = [i["path"] for i in error_of(bad, 422, "VALIDATION")["issues"]]
    assert paths == ["appDescription", "tagline", "brandVoice", "targetGender"]
    project = await api.project(metadata={"a": 1, "b": 2})
    assert (await api.get(f"/v1/projects/{project['id']}/influencers")).json()["items"] == []
    pid = project["id"]
    patched = await api.patch(
        f"/v1/projects/{pid}", {"metadata": {"c": 3}, "tagline": "Skip it.", "appName": "Quinns"}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["metadata"], body["tagline"], body["appName"]) == ({"c": 3}, "Skip it.", "Quinns")
    refused = await api.patch(f"/v1/projects/{pid}", {"requiresApproval": True})
    message = error_of(refused, 400, "VALIDATION")["issues"][0]["message"]
    assert "content-review-policy" in message
    listed = await api.get("/v1/projects", params={"customerExternalId": "quinn-coffee-001"})
    assert [p["id"] for p in listed.json()["items"]] == [pid]


async def test_rev_b_influencer_patch_speaks_rev_b_enums(api_b: ApiB) -> None:
    api = api_b
    pid = (await api.project())["id"]
    inf = await api.influencer_b(pid, gender="female")
    patched = await api.patch(
        f"/v1/influencers/{inf}", {"gender": "non_binary", "ageRange": None, "name": "Sam"}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["gender"], body["ageRange"], body["name"]) == ("non_binary", None, "Sam")
    old = await api.patch(f"/v1/influencers/{inf}", {"gender": "nonbinary"})
    error_of(old, 422, "VALIDATION")


async def test_hooks_need_the_app_described(api_b: ApiB) -> None:
    api = api_b
    pid = (await api.project())["id"]
    error_of(await api.get(f"/v1/projects/{pid}/content/hooks"), 422, "VALIDATION")
    await api.patch(f"/v1/projects/{pid}", {"appName": "Quinns", "appDescription": APP_DESCRIPTION})
    hooks = (await api.get(f"/v1/projects/{pid}/content/hooks")).json()["hooks"]
    assert any("Quinns" in h for h in hooks)


async def test_rev_b_influencers_have_no_name_on_create(api_b: ApiB) -> None:
    api = api_b
    pid = (await api.project(targetGender="male"))["id"]
    named = await api.post(f"/v1/projects/{pid}/influencers", {"name": "Ava"})
    assert error_of(named, 422, "VALIDATION")["issues"][0]["path"] == "name"
    bad = await api.post(
        f"/v1/projects/{pid}/influencers", {"gender": "nonbinary", "prompt": "p" * 61}
    )
    paths = [i["path"] for i in error_of(bad, 422, "VALIDATION")["issues"]]
    assert paths == ["gender", "prompt"]
    inf = await api.influencer_b(pid)
    doc = (await api.get(f"/v1/influencers/{inf}")).json()
    assert (doc["gender"], doc["ageRange"], doc["projectId"]) == ("male", "young_adult", pid)


async def test_rev_b_publishing_modes(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    account = await api.connect(pid, "instagram")
    cid = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    old = await api.post(
        f"/v1/content/{cid}/publish",
        {"targets": [{"socialAccountId": account, "mode": "reels"}]},
    )
    assert error_of(old, 422, "VALIDATION")["issues"][0]["path"] == "targets[0].mode"
    managed = await api.post(
        f"/v1/content/{cid}/publish",
        {"targets": [{"socialAccountId": account, "mode": "managed"}]},
    )
    assert managed.status_code == 200, managed.text
    (post_id,) = managed.json()["scheduledPostIds"]
    await _let_posts_settle(api)
    assert (await api.get(f"/v1/scheduled-posts/{post_id}")).json()["status"] == "published"
    listed = await api.get(
        f"/v1/projects/{pid}/scheduled-posts", params={"status": "draft_in_inbox"}
    )
    error_of(listed, 422, "VALIDATION")


async def test_ids_are_prefixed_and_both_forms_are_accepted(api_b: ApiB) -> None:
    api = api_b
    pid, influencer = await _ready_project(api)
    bare = pid.removeprefix("prj_")
    cid = await api.content_b(bare, "slideshow-builder", {"hook": HOOK, "influencerId": influencer})
    for path in (f"/v1/content/{cid}", f"/v1/content/{cid.removeprefix('cnt_')}"):
        content = (await api.get(path)).json()
        assert (content["id"], content["projectId"]) == (cid, pid)
    job = (await api.get(f"/v1/jobs/{content['jobId'].removeprefix('job_')}")).json()
    assert job["projectId"] == pid
    archived = (await api.delete(f"/v1/projects/{bare}")).json()
    assert archived["id"] == pid
    gone = await api.generate_b(pid, "slideshow-builder", {"hook": HOOK})
    assert error_of(gone, 409, "CONFLICT")["projectId"] == pid


@pytest.mark.slow
def test_the_cli_serves_rev_b_when_asked() -> None:
    with emulator("--api-revision", "b", "--speed", "50") as (url, banner):
        assert "revision B" in banner
        assert "X-Api-Key" not in banner
        with httpx.Client(base_url=url) as c:
            assert c.get("/v1/whoami", headers={"X-Api-Key": DEV_API_KEY}).status_code == 401
            me = c.get("/v1/whoami", headers=bearer()).json()
            assert me["organizationId"].startswith("org_")
            body = {"name": "Acme Labs", "timezone": "UTC"}
            project = c.post("/v1/projects", json=body, headers=bearer()).json()
            assert project["id"].startswith("prj_")
            doc = c.get("/_emulator/openapi.json").json()
            assert "/v1/projects/{projectId}/content/ugc-remix" in doc["paths"]
    with emulator() as (url, banner):
        assert "revision B" not in banner
        me = httpx.get(f"{url}/v1/whoami", headers={"X-Api-Key": DEV_API_KEY}).json()
        assert not me["organizationId"].startswith("org_")


def test_the_cli_refuses_an_unknown_revision() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "layers_reconcile", "emulator", "--api-revision", "c"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "'c' is not one of 'a', 'b'" in proc.stderr
    assert "Traceback" not in proc.stderr


BARE_UUID = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')


async def test_no_rev_b_answer_carries_a_bare_id(api_b: ApiB) -> None:
    api = api_b
    pid, influencer = await _ready_project(api, metadata={"note": "kept"})
    await api.policy(pid, "review_all")
    account = await api.connect(pid)
    cid = await api.content_b(pid, "slideshow-builder", {"hook": HOOK, "influencerId": influencer})
    target = {"socialAccountId": account, "mode": "publish"}
    blocked = await api.post(
        f"/v1/content/{cid}/schedule", {"scheduledFor": _soon(api), "targets": [target]}
    )
    approved = await api.post(f"/v1/content/{cid}/approve", {})
    post = approved.json()["pendingSchedulePromotion"]["scheduledPostIds"][0]
    other = await api.content_b(pid, "slideshow-builder", {"hook": HOOK})
    rejected = await api.post(f"/v1/content/{other}/reject", {"reason": "no"})
    content = (await api.get(f"/v1/content/{cid}")).json()
    answers = [
        blocked,
        approved,
        rejected,
        await api.get("/v1/whoami"),
        await api.get("/v1/projects"),
        await api.get(f"/v1/projects/{pid}"),
        await api.get(f"/v1/projects/{pid}/influencers"),
        await api.get(f"/v1/influencers/{influencer}"),
        await api.get(f"/v1/projects/{pid}/content"),
        await api.get(f"/v1/content/{cid}"),
        await api.get(f"/v1/content/{cid}/progress"),
        await api.get(f"/v1/jobs/{content['jobId']}"),
        await api.get(f"/v1/projects/{pid}/social-accounts"),
        await api.get(f"/v1/projects/{pid}/scheduled-posts"),
        await api.get(f"/v1/scheduled-posts/{post}"),
        await api.get(f"/v1/projects/{pid}/content-review-policy"),
        await api.get("/v1/github/installation"),
        await api.get("/v1/credits"),
        await api.post(f"/v1/content/{cid}/approve", {}),  # an error's details too
    ]
    for resp in answers:
        assert resp.status_code < 500, resp.text
        assert not BARE_UUID.findall(resp.text), (str(resp.url), resp.text)


async def test_a_retried_generation_makes_one_container(api_b: ApiB) -> None:
    api = api_b
    pid, _ = await _ready_project(api)
    calls = [
        await api.generate_b(pid, "slideshow-builder", {"hook": HOOK}, idem="gen-1")
        for _ in range(2)
    ]
    assert calls[0].json() == calls[1].json()
    assert calls[1].headers["Idempotent-Replayed"] == "true"
    listed = (await api.get(f"/v1/projects/{pid}/content")).json()["items"]
    assert [c["id"] for c in listed] == calls[0].json()["containerIds"]
    assert (await api.get("/v1/credits")).json()["usedThisPeriod"] == 50


def test_the_settings_refuse_an_unknown_revision() -> None:
    with pytest.raises(ValueError, match="api_revision must be one of a, b"):
        EmulatorSettings(api_revision="c")  # type: ignore[arg-type]  # the wrong value is the test
