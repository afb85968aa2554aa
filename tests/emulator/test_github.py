"""Contract tests: GitHub install URL, people consenting, registration, and the ingest job."""

from __future__ import annotations

from tests.emulator.support import RETURN_URL, Api, error_of, issue_paths, query_of


async def test_install_url_points_at_the_emulator_and_allowlists_return_urls(api: Api) -> None:
    resp = await api.get("/v1/github/installation/install-url", params={"returnUrl": RETURN_URL})
    assert resp.status_code == 200
    body = resp.json()
    assert body["authorizeUrl"].startswith("http://emulator.test/_emulator/github/install?")
    assert body["installUrl"] == body["authUrl"] == body["authorizeUrl"]
    assert body["state"].startswith("gh_state_")
    assert body["expiresAt"].endswith("Z")
    bad = await api.get(
        "/v1/github/installation/install-url", params={"returnUrl": "https://evil.example/cb"}
    )
    assert error_of(bad, 403, "RETURN_URL_NOT_ALLOWED")["host"] == "evil.example"
    missing = await api.get("/v1/github/installation/install-url")
    assert issue_paths(missing) == ["returnUrl"]


async def test_opening_the_install_url_installs_and_redirects_with_id_and_state(api: Api) -> None:
    url = (
        await api.get("/v1/github/installation/install-url", params={"returnUrl": RETURN_URL})
    ).json()
    consent = await api.client.get(url["authorizeUrl"])
    assert consent.status_code == 302
    location = consent.headers["location"]
    assert location.startswith(RETURN_URL + "?")
    back = query_of(location)
    assert back["installation_id"] == "48271993"  # quinns-coffee installs by default
    assert back["state"] == url["state"]


async def test_login_names_the_installing_account_and_deny_refuses(api: Api) -> None:
    params = {"returnUrl": RETURN_URL}
    url = (await api.get("/v1/github/installation/install-url", params=params)).json()
    consent = await api.client.get(url["authorizeUrl"] + "&login=acme-labs")
    installation_id = int(query_of(consent.headers["location"])["installation_id"])
    assert installation_id != 48271993
    reg = await api.post(
        "/v1/github/installation", {"installationId": installation_id, "state": url["state"]}
    )
    assert reg.json()["orgLogin"] == "acme-labs"
    url = (await api.get("/v1/github/installation/install-url", params=params)).json()
    refused = await api.client.get(url["authorizeUrl"] + "&deny=1")
    assert query_of(refused.headers["location"])["error"] == "access_denied"
    reg = await api.post(
        "/v1/github/installation", {"installationId": 48271993, "state": url["state"]}
    )
    assert issue_paths(reg) == ["state"]
    unknown = await api.client.get("/_emulator/github/install?state=nope")
    error_of(unknown, 404, "NOT_FOUND")


async def test_register_installation_is_strict(api: Api) -> None:
    state = (
        await api.get("/v1/github/installation/install-url", params={"returnUrl": RETURN_URL})
    ).json()["state"]
    extra = await api.post(
        "/v1/github/installation", {"installationId": 48271993, "state": state, "org": "x"}
    )
    assert issue_paths(extra) == ["org"]
    missing = await api.post("/v1/github/installation", {"installationId": "48271993"})
    error_of(missing, 422, "VALIDATION")
    assert set(issue_paths(missing)) == {"installationId", "state"}
    unknown_state = await api.post(
        "/v1/github/installation", {"installationId": 48271993, "state": "gh_state_X"}
    )
    assert issue_paths(unknown_state) == ["state"]
    no_such = await api.post("/v1/github/installation", {"installationId": 12, "state": state})
    assert issue_paths(no_such) == ["installationId"]
    ok = await api.post("/v1/github/installation", {"installationId": 48271993, "state": state})
    assert ok.status_code == 200
    body = ok.json()
    assert body["installationId"] == 48271993
    assert body["orgLogin"] == "quinns-coffee"
    assert body["githubAccount"] == {"login": "quinns-coffee", "type": "Organization"}
    assert body["registeredAt"].endswith("Z")


async def test_get_installation_keeps_every_registration(api: Api) -> None:
    error_of(await api.get("/v1/github/installation"), 404, "NOT_FOUND")
    await api.install()
    api.clock.advance(1)
    other = await api.install("acme-labs")
    body = (await api.get("/v1/github/installation")).json()
    assert body["installationId"] == other
    assert body["orgLogin"] == "acme-labs"
    assert body["status"] == "active"
    assert [i["orgLogin"] for i in body["installations"]] == ["acme-labs", "quinns-coffee"]


async def test_ingest_runs_the_stages_and_writes_the_project(api: Api) -> None:
    pid = (await api.project(primaryLanguage="en"))["id"]
    await api.install()
    resp = await api.post(
        f"/v1/projects/{pid}/ingest/github",
        {
            "repoFullName": "quinns-coffee/quinns-app",
            "branch": "main",
            "sdkConfig": {"includePlatforms": ["ios", "web"]},
        },
        idem="ingest-1",
    )
    assert resp.status_code == 202
    accepted = resp.json()
    assert accepted["status"] == "running"
    assert accepted["jobId"].startswith("job_")
    assert accepted["locationUrl"] == f"/v1/jobs/{accepted['jobId']}"
    assert accepted["kind"] == "project_ingest_github"
    stages, progress = [], []
    for _ in range(60):
        job = (await api.get(f"/v1/jobs/{accepted['jobId']}")).json()
        if job["status"] != "running":
            break
        stages.append(job["stage"])
        progress.append(job["progress"])
        api.clock.advance(10)
    assert progress == sorted(progress)
    assert progress[0] >= 0
    assert progress[-1] < 1
    order = ["cloning", "analyzing", "generating_sdk_patch", "opening_pr", "finalizing"]
    assert list(dict.fromkeys(stages)) == order
    assert job["status"] == "completed"
    assert job["progress"] == 1
    assert job["stage"] == "finalizing"
    result = job["result"]
    assert result["prUrl"] == "https://github.com/quinns-coffee/quinns-app/pull/142"
    assert result["prNumber"] == 142
    assert result["sdkAppId"].startswith("app_")
    assert result["brandContext"]["appName"] == "Quinn's Coffee"
    assert result["brandContext"]["tagline"] == "Your cafe, skip the line."
    project = (await api.get(f"/v1/projects/{pid}")).json()
    assert project["brandContext"] == result["brandContext"]
    github = project["ingestState"]["github"]
    assert github["status"] == "completed"
    assert github["jobId"] == accepted["jobId"]
    assert github["completedAt"]
    influencers = (await api.get(f"/v1/projects/{pid}/influencers")).json()["items"]
    assert [i["name"] for i in influencers] == ["Maya — PNW cafe regular"]
    assert influencers[0]["status"] == "ready"
    apps = (await api.get(f"/v1/projects/{pid}/sdk-apps")).json()["items"]
    assert [a["appId"] for a in apps] == [result["sdkAppId"]]


async def test_ingest_of_another_repo_is_deterministic(api: Api) -> None:
    one = (await api.project("a"))["id"]
    two = (await api.project("b"))["id"]
    first = await api.ingest(one, "acme-labs/widget-app")
    second = await api.ingest(two, "acme-labs/widget-app")
    assert first["result"]["brandContext"] == second["result"]["brandContext"]
    assert first["result"]["brandContext"]["appName"] == "Widget"
    names = [
        (await api.get(f"/v1/projects/{p}/influencers")).json()["items"][0]["name"]
        for p in (one, two)
    ]
    assert names[0] == names[1]
    assert names[0].endswith("— Widget regular")


async def test_private_repo_fails_synchronously_naming_repo_full_name(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.install()
    resp = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/secret-private"}
    )
    details = error_of(resp, 422, "VALIDATION")
    assert details["issues"][0]["path"] == "repoFullName"
    assert details["repoFullName"] == "quinns-coffee/secret-private"


async def test_repo_without_sdk_platform_fails_the_job_unless_platforms_given(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.install()
    resp = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/legacy-nosdk"}
    )
    assert resp.status_code == 202
    job = await api.finish(resp.json()["jobId"])
    assert job["status"] == "failed"
    assert job["stage"] == "generating_sdk_patch"
    assert job["error"]["code"] == "SDK_PATCH_GENERATION_FAILED"
    assert job["result"] is None
    state = (await api.get(f"/v1/projects/{pid}")).json()["ingestState"]["github"]
    assert state["status"] == "failed"
    retry = await api.post(
        f"/v1/projects/{pid}/ingest/github",
        {"repoFullName": "quinns-coffee/legacy-nosdk", "sdkConfig": {"includePlatforms": ["web"]}},
    )
    job = await api.finish(retry.json()["jobId"])
    assert job["status"] == "completed"
    assert job["result"]["platforms"] == ["web"]


async def test_repo_of_an_org_without_registered_installation(api: Api) -> None:
    pid = (await api.project())["id"]
    resp = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/quinns-app"}
    )
    details = error_of(resp, 422, "PLATFORM_ERROR")
    assert details["subcode"] == details["reason"] == "installation_not_found"
    await api.install()
    other = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "someone-else/app"}
    )
    assert error_of(other, 422, "PLATFORM_ERROR")["reason"] == "installation_not_found"


async def test_ingest_validation_and_running_conflict(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.install()
    bad = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "no-slash", "platforms": ["cobol"]}
    )
    assert set(issue_paths(bad)) == {"repoFullName", "platforms[0]"}
    first = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/quinns-app"}
    )
    again = await api.post(
        f"/v1/projects/{pid}/ingest/github", {"repoFullName": "quinns-coffee/quinns-app"}
    )
    assert error_of(again, 409, "CONFLICT")["jobId"] == first.json()["jobId"]
