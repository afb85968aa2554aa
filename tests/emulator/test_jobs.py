"""Contract tests: jobs (ETag, cancel), their durations and their clock-derived progress."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.emulator.conftest import OpenApi
from tests.emulator.support import Api, error_of


async def test_etag_and_if_none_match(api: Api) -> None:
    pid = (await api.project())["id"]
    job_id = (await api.generate(pid))["jobId"]
    first = await api.get(f"/v1/jobs/{job_id}")
    etag = first.headers["etag"]
    same = await api.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    api.clock.advance(60)
    moved = await api.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.headers["etag"] != etag
    assert moved.json()["progress"] > first.json()["progress"]


async def test_running_job_shape(api: Api) -> None:
    pid = (await api.project())["id"]
    job_id = (await api.generate(pid))["jobId"]
    api.clock.advance(30)
    job = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert job["status"] == "running"
    assert job["kind"] == "content_generate"
    assert 0 < job["progress"] < 1
    assert job["stage"] in ("queued", "generating_visuals")
    assert job["startedAt"].endswith("Z")
    assert job["finishedAt"] is None
    assert job["projectId"] == pid


async def test_unknown_and_malformed_job_ids(api: Api) -> None:
    error_of(await api.get(f"/v1/jobs/job_{uuid.uuid4()}"), 404, "NOT_FOUND")
    error_of(await api.get("/v1/jobs/job_nope"), 422, "VALIDATION")


async def test_cancel_running_completed_and_opening_pr(api: Api) -> None:
    pid = (await api.project())["id"]
    accepted = await api.generate(pid)
    resp = await api.post(f"/v1/jobs/{accepted['jobId']}/cancel")
    assert resp.status_code == 202
    assert resp.json() == {"jobId": accepted["jobId"], "accepted": True}
    job = (await api.get(f"/v1/jobs/{accepted['jobId']}")).json()
    assert job["status"] == "canceled"
    container = (await api.get(f"/v1/content/{accepted['containerIds'][0]}")).json()
    assert container["status"] == "canceled"
    again = await api.post(f"/v1/jobs/{accepted['jobId']}/cancel")
    assert again.status_code == 200
    assert again.json() == {
        "jobId": accepted["jobId"],
        "accepted": False,
        "reason": "ALREADY_COMPLETED",
    }

    await api.install()
    ingest = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/quinns-app"}
    )
    job_id = ingest.json()["jobId"]
    for _ in range(100):
        job = (await api.get(f"/v1/jobs/{job_id}")).json()
        if job["stage"] == "opening_pr":
            break
        api.clock.advance(5)
    refused = await api.post(f"/v1/jobs/{job_id}/cancel")
    details = error_of(refused, 409, "CONFLICT")
    assert details == {"subcode": "JOB_CANCEL_UNAVAILABLE", "jobId": job_id, "stage": "opening_pr"}
    assert (await api.finish(job_id))["status"] == "completed"


async def test_durations_are_in_the_documented_ranges_and_divided_by_speed(
    open_api: OpenApi,
) -> None:
    for speed in (1.0, 60.0):
        async with open_api(speed=speed) as api:
            pid = (await api.project())["id"]
            await api.install()
            kinds = {
                "project_ingest_github": (180, 480),
                "content_generate": (90, 180),
                "influencer_create": (50, 70),
            }
            starts = [
                await api.post(
                    f"/v1/projects/{pid}/ingest/github",
                    {"repoFullName": "quinns-coffee/quinns-app"},
                ),
                await api.post(f"/v1/projects/{pid}/content", {"brief": {"hook": "hi"}}),
                await api.post(f"/v1/projects/{pid}/influencers", {"name": "Sam"}),
            ]
            for resp in starts:
                job = api.emu.store.get("job", resp.json()["jobId"].removeprefix("job_"))
                assert job is not None
                low, high = kinds[job["kind"]]
                assert low / speed <= job["_duration"] <= high / speed


async def test_progress_and_completion_survive_a_restart(open_api: OpenApi, tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    async with open_api(db=db) as api:
        pid = (await api.project())["id"]
        job_id = (await api.generate(pid))["jobId"]
        api.clock.advance(45)
        before = (await api.get(f"/v1/jobs/{job_id}")).json()["progress"]
    async with open_api(db=db) as api:
        after = (await api.get(f"/v1/jobs/{job_id}")).json()
        assert after["status"] == "running"
        assert after["progress"] >= before
        done = await api.finish(job_id, 200)
        assert done["status"] == "completed"
        content = (await api.get(f"/v1/projects/{pid}/content")).json()["items"]
        assert content[0]["status"] == "completed"
        assert content[0]["caption"]


async def test_cancel_an_ingest_early_and_an_influencer(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.install()
    ingest = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/quinns-app"}
    )
    job_id = ingest.json()["jobId"]
    assert (await api.post(f"/v1/jobs/{job_id}/cancel")).status_code == 202
    job = (await api.get(f"/v1/jobs/{job_id}")).json()
    assert job["status"] == "canceled"
    assert job["stage"] == "cloning"
    state = (await api.get(f"/v1/projects/{pid}")).json()["ingestState"]["github"]
    assert state["status"] == "canceled"
    inf = (await api.post(f"/v1/projects/{pid}/influencers", {"name": "Ava"})).json()
    assert (await api.post(f"/v1/jobs/{inf['jobId']}/cancel")).status_code == 202
    assert (await api.get(f"/v1/influencers/{inf['influencerId']}")).json()["status"] == "failed"


async def test_job_routes_need_their_scopes(api: Api) -> None:
    pid = (await api.project())["id"]
    job_id = (await api.generate(pid))["jobId"]
    reader = await api.new_key(["jobs:read"])
    assert (await api.get(f"/v1/jobs/{job_id}", key=reader)).status_code == 200
    error_of(await api.post(f"/v1/jobs/{job_id}/cancel", key=reader), 403, "FORBIDDEN_SCOPE")
