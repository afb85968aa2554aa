"""Contract tests: influencers."""

from __future__ import annotations

import uuid

from tests.emulator.support import Api, error_of, issue_paths


async def test_create_is_a_job_of_about_a_minute(api: Api) -> None:
    pid = (await api.project())["id"]
    partner_id = str(uuid.uuid4())
    resp = await api.post(
        f"/v1/projects/{pid}/influencers",
        {
            "name": "Jo — the regular",
            "influencerId": partner_id,
            "gender": "female",
            "ageRange": "25-34",
        },
    )
    assert resp.status_code == 202
    body = resp.json()
    assert body["kind"] == "influencer_create"
    assert body["influencerId"] == f"inf_{partner_id}"
    first = (await api.get(f"/v1/influencers/{partner_id}")).json()
    assert first["status"] == "pending"
    assert first["imageUrl"] is None
    api.clock.advance(30)
    assert (await api.get(f"/v1/influencers/inf_{partner_id}")).json()["status"] == "training"
    job = await api.finish(body["jobId"], 41)
    assert job["status"] == "completed"
    assert job["result"] == {"influencerId": f"inf_{partner_id}"}
    ready = (await api.get(f"/v1/influencers/{partner_id}")).json()
    assert ready["status"] == "ready"
    assert ready["imageUrl"].startswith("https://")
    assert ready["name"] == "Jo — the regular"
    assert ready["projectId"] == pid
    dup = await api.post(
        f"/v1/projects/{pid}/influencers", {"name": "Again", "influencerId": partner_id}
    )
    assert error_of(dup, 409, "CONFLICT")["influencerId"] == f"inf_{partner_id}"
    bad = await api.post(f"/v1/projects/{pid}/influencers", {"gender": "robot"})
    assert set(issue_paths(bad)) == {"name", "gender"}


async def test_list_filters_and_paginates(api: Api) -> None:
    pid = (await api.project())["id"]
    for i in range(3):
        await api.post(f"/v1/projects/{pid}/influencers", {"name": f"N{i}"})
    page = (await api.get(f"/v1/projects/{pid}/influencers", params={"limit": "2"})).json()
    assert [i["name"] for i in page["items"]] == ["N2", "N1"]
    rest = (
        await api.get(f"/v1/projects/{pid}/influencers", params={"cursor": page["nextCursor"]})
    ).json()
    assert [i["name"] for i in rest["items"]] == ["N0"]
    assert rest["nextCursor"] is None
    item = page["items"][0]
    assert set(item) >= {"influencerId", "name", "gender", "ageRange", "brandVoice", "status"}
    pending = (await api.get(f"/v1/projects/{pid}/influencers", params={"status": "ready"})).json()
    assert pending["items"] == []
    error_of(await api.get(f"/v1/projects/{uuid.uuid4()}/influencers"), 404, "NOT_FOUND")


async def test_patch_is_strict_and_merges_personality(api: Api) -> None:
    pid = (await api.project())["id"]
    body = {"name": "Kai", "personality": {"tone": "dry", "humor": "deadpan"}}
    inf = (await api.post(f"/v1/projects/{pid}/influencers", body)).json()["influencerId"]
    resp = await api.patch(
        f"/v1/influencers/{inf}", {"vibe": "calm", "personality": {"tone": "warm"}}
    )
    assert resp.status_code == 200
    assert resp.json()["vibe"] == "calm"
    assert resp.json()["personality"] == {"tone": "warm", "humor": "deadpan"}
    bad = await api.patch(f"/v1/influencers/{inf}", {"height": 180})
    assert issue_paths(bad) == ["height"]
    error_of(await api.patch(f"/v1/influencers/{inf}", {}), 422, "VALIDATION")


async def test_delete_is_soft_and_final(api: Api) -> None:
    pid = (await api.project())["id"]
    inf = (await api.post(f"/v1/projects/{pid}/influencers", {"name": "Leo"})).json()[
        "influencerId"
    ]
    resp = await api.delete(f"/v1/influencers/{inf}", {"reason": "rebrand"})
    assert resp.status_code == 200
    assert resp.json()["status"] == "deleted"
    assert resp.json()["influencerId"] == inf
    error_of(await api.get(f"/v1/influencers/{inf}"), 404, "NOT_FOUND")
    error_of(await api.delete(f"/v1/influencers/{inf}"), 404, "NOT_FOUND")
    assert (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"] == []
