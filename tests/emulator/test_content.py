"""Contract tests: content generation, containers, regenerate, approve and reject."""

from __future__ import annotations

import uuid

from tests.emulator.support import BRIEF, Api, error_of, issue_paths


async def test_generate_returns_the_guide_202(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.ingest(pid)
    maya = (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"][0]["influencerId"]
    resp = await api.post(
        f"/v1/projects/{pid}/content",
        {"format": "auto", "variantCount": 1, "brief": {**BRIEF, "influencerId": maya}},
        idem=str(uuid.uuid4()),
    )
    assert resp.status_code == 202
    body = resp.json()
    assert body["jobId"].startswith("job_")
    assert body["status"] == "running"
    assert body["format"] == "video_remix"  # auto, resolved deterministically
    assert [c[:4] for c in body["containerIds"]] == ["cnt_"]
    job = await api.finish(body["jobId"], 181)
    assert job["status"] == "completed"
    content = (await api.get(f"/v1/content/{body['containerIds'][0]}")).json()
    assert content["id"] == body["containerIds"][0]
    assert content["status"] == "completed"
    assert content["approvalStatus"] == "not_required"
    assert content["format"] == "video_remix"
    assert content["hook"] == BRIEF["hook"]
    assert content["captionVariants"] == [
        {"platform": "tiktok", "text": "Walk in, grab it, walk out. ☕️ Free on the App Store."},
        {"platform": "instagram", "text": "The fastest coffee in the PNW. Link in bio."},
    ]
    (asset,) = content["mediaAssets"]
    assert asset["kind"] == "video"
    assert asset["url"].startswith("https://cdn.layers.com/")
    assert asset["id"].startswith("asset_")
    assert 8000 <= asset["durationMs"] <= 15000
    assert content["brief"]["influencerId"] == maya
    assert content["projectId"] == pid
    assert content["caption"] == content["captionVariants"][0]["text"]
    assert content["assets"][0]["assetId"] == asset["id"]


async def test_generation_is_deterministic_and_formats_differ(api: Api) -> None:
    one = (await api.project("a"))["id"]
    two = (await api.project("b"))["id"]
    captions = []
    for pid in (one, two):
        cid = await api.content(pid, brief={"hook": "Fresh bread daily.", "cta": "Order now."})
        captions.append((await api.get(f"/v1/content/{cid}")).json()["captionVariants"])
    assert captions[0] == captions[1]
    slides = await api.generate(one, format="slideshow_remix")
    await api.finish(slides["jobId"], 181)
    content = (await api.get(f"/v1/content/{slides['containerIds'][0]}")).json()
    assert [a["kind"] for a in content["mediaAssets"]] == ["image"] * 5
    auto = await api.generate(one, brief={"hook": "x", "referenceMediaIds": ["med_1"]})
    assert auto["format"] == "slideshow_remix"


async def test_generate_validation(api: Api) -> None:
    pid = (await api.project())["id"]
    resp = await api.post(
        f"/v1/projects/{pid}/content",
        {
            "format": "gif",
            "variantCount": 6,
            "brief": {"targetPlatforms": ["myspace"], "influencerId": "inf_x"},
        },
    )
    error_of(resp, 422, "VALIDATION")
    assert set(issue_paths(resp)) == {
        "format",
        "variantCount",
        "brief.targetPlatforms[0]",
        "brief.influencerId",
    }
    assert issue_paths(await api.post(f"/v1/projects/{pid}/content", {})) == ["brief"]
    error_of(
        await api.post(f"/v1/projects/{uuid.uuid4()}/content", {"brief": {}}), 404, "NOT_FOUND"
    )


async def test_partner_id_upserts(api: Api) -> None:
    pid = (await api.project())["id"]
    cid = str(uuid.uuid4())
    first = await api.generate(pid, id=cid, variantCount=2)
    assert first["containerIds"][0] == f"cnt_{cid}"
    assert len(first["containerIds"]) == 2
    replay = await api.generate(pid, id=f"cnt_{cid}", variantCount=2)
    assert replay["jobId"] == first["jobId"]
    assert replay["containerIds"] == first["containerIds"]
    changed = await api.post(
        f"/v1/projects/{pid}/content",
        {"id": cid, "variantCount": 2, "brief": {**BRIEF, "hook": "Other"}},
    )
    assert error_of(changed, 409, "CONFLICT")["containerId"] == f"cnt_{cid}"
    items = (await api.get(f"/v1/projects/{pid}/content")).json()["items"]
    assert len(items) == 2


async def test_list_content_filters_and_paginates(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.gate(pid, first_n=None)
    done = await api.content(pid)
    running = (await api.generate(pid, format="ugc_remix"))["containerIds"][0]
    page = (await api.get(f"/v1/projects/{pid}/content", params={"limit": "1"})).json()
    assert [i["id"] for i in page["items"]] == [running]
    item = page["items"][0]
    assert item["brief"] == BRIEF
    assert item["approvalStatus"] == "pending"
    assert set(item) >= {
        "id",
        "status",
        "format",
        "caption",
        "createdAt",
        "completedAt",
        "primaryAsset",
    }
    rest = (
        await api.get(f"/v1/projects/{pid}/content", params={"cursor": page["nextCursor"]})
    ).json()
    assert [i["id"] for i in rest["items"]] == [done]
    assert rest["nextCursor"] is None
    completed = (
        await api.get(f"/v1/projects/{pid}/content", params={"status": "completed"})
    ).json()
    assert [i["id"] for i in completed["items"]] == [done]
    ugc = (await api.get(f"/v1/projects/{pid}/content", params={"format": "ugc_remix"})).json()
    assert [i["id"] for i in ugc["items"]] == [running]
    future = (
        await api.get(f"/v1/projects/{pid}/content", params={"since": "2030-01-01T00:00:00Z"})
    ).json()
    assert future["items"] == []
    assert issue_paths(await api.get(f"/v1/projects/{pid}/content", params={"status": "x"})) == [
        "status"
    ]


async def test_regenerate_keeps_the_container_and_resets_approval(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.gate(pid)
    cid = await api.content(pid)
    before = (await api.get(f"/v1/content/{cid}")).json()
    await api.post(f"/v1/content/{cid}/approve")
    resp = await api.post(
        f"/v1/content/{cid}/regenerate", {"brief": {"cta": "Skip the line today"}}
    )
    assert resp.status_code == 202
    body = resp.json()
    assert body["containerIds"] == [cid]
    assert body["jobId"] != before["jobId"]
    mid = (await api.get(f"/v1/content/{cid}")).json()
    assert mid["approvalStatus"] == "pending"
    assert mid["status"] in ("queued", "generating")
    busy = await api.post(f"/v1/content/{cid}/regenerate", {})
    error_of(busy, 409, "CONFLICT")
    await api.finish(body["jobId"], 181)
    after = (await api.get(f"/v1/content/{cid}")).json()
    assert after["status"] == "completed"
    assert after["brief"]["cta"] == "Skip the line today"
    assert after["captionVariants"] != before["captionVariants"]
    assert after["mediaAssets"] != before["mediaAssets"]


async def test_approve_and_reject(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.gate(pid, first_n=None)
    cid = await api.content(pid)
    resp = await api.post(
        f"/v1/content/{cid}/approve",
        {"note": "Matches brief"},
        headers={"X-Api-Key": api.emu.settings.effective_api_key},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["id"] == cid
    assert body["approvalStatus"] == "approved"
    assert body["approvedAt"].endswith("Z")
    assert body["approvedBy"]
    assert "pendingSchedulePromotion" not in body
    again = await api.post(f"/v1/content/{cid}/approve")
    assert again.status_code == 200
    assert again.json()["approvedAt"] == body["approvedAt"]
    error_of(await api.post(f"/v1/content/{cid}/reject", {"reason": "late"}), 409, "CONFLICT")

    other = await api.content(pid)
    assert issue_paths(await api.post(f"/v1/content/{other}/reject", {})) == ["reason"]
    rejected = await api.post(f"/v1/content/{other}/reject", {"reason": "Off brand"})
    assert rejected.status_code == 200
    assert rejected.json()["approvalStatus"] == "rejected"
    assert rejected.json()["reason"] == "Off brand"
    twice = await api.post(f"/v1/content/{other}/reject", {"reason": "Off brand"})
    assert error_of(twice, 409, "CONFLICT")["approvalStatus"] == "rejected"
    error_of(await api.post(f"/v1/content/{other}/approve"), 409, "CONFLICT")


async def test_reject_with_regenerate_brief(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.gate(pid, first_n=None)
    cid = await api.content(pid)
    resp = await api.post(
        f"/v1/content/{cid}/reject", {"reason": "Too long", "regenerateBrief": {"hook": "Shorter."}}
    )
    body = resp.json()
    assert body["approvalStatus"] == "rejected"
    assert body["regeneration"]["approvalStatus"] == "pending"
    await api.finish(body["regeneration"]["jobId"], 181)
    content = (await api.get(f"/v1/content/{cid}")).json()
    assert content["hook"] == "Shorter."
    assert content["approvalStatus"] == "pending"


async def test_not_required_content_rejects_reject(api: Api) -> None:
    pid = (await api.project())["id"]
    cid = await api.content(pid)
    resp = await api.post(f"/v1/content/{cid}/reject", {"reason": "no"})
    assert error_of(resp, 409, "CONFLICT")["approvalStatus"] == "not_required"
    assert (await api.post(f"/v1/content/{cid}/approve")).json()["approvalStatus"] == "not_required"


async def test_auto_approve_after(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.patch(
        f"/v1/projects/{pid}/approval-policy",
        {"requiresApproval": True, "autoApproveAfter": "PT30M"},
    )
    cid = await api.content(pid)
    assert (await api.get(f"/v1/content/{cid}")).json()["approvalStatus"] == "pending"
    api.clock.advance(1800)
    content = (await api.get(f"/v1/content/{cid}")).json()
    assert content["approvalStatus"] == "approved"
    assert content["approvedBy"] == "auto_approve"


async def test_unknown_and_malformed_container_ids(api: Api) -> None:
    error_of(await api.get(f"/v1/content/cnt_{uuid.uuid4()}"), 404, "NOT_FOUND")
    error_of(await api.get("/v1/content/cnt_nope"), 422, "VALIDATION")
    error_of(await api.post(f"/v1/content/{uuid.uuid4()}/approve"), 404, "NOT_FOUND")
