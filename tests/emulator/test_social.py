"""Contract tests: social OAuth (consent by following the authorize URL), accounts, revoke."""

from __future__ import annotations

from tests.emulator.support import SOCIAL_RETURN, Api, error_of, issue_paths, query_of


async def test_oauth_url_consent_and_both_status_routes(api: Api) -> None:
    pid = (await api.project())["id"]
    resp = await api.post(
        f"/v1/projects/{pid}/social/oauth-url", {"platform": "tiktok", "returnUrl": SOCIAL_RETURN}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["state"].startswith("st_")
    assert body["expiresAt"].endswith("Z")
    assert body["authorizeUrl"].startswith("http://emulator.test/_emulator/social/authorize?state=")
    pending = (
        await api.get(f"/v1/projects/{pid}/social/oauth-status", params={"state": body["state"]})
    ).json()
    assert pending["status"] == "pending"
    assert "socialAccountId" not in pending
    consent = await api.client.get(body["authorizeUrl"] + "&handle=quinnscoffee")
    assert consent.status_code == 302
    location = consent.headers["location"]
    assert location.startswith(SOCIAL_RETURN + "?")
    assert query_of(location) == {"layers_state": body["state"], "status": "success"}
    for path, params in (
        (f"/v1/projects/{pid}/social/oauth-status", {"state": body["state"]}),
        (f"/v1/social/oauth-status/{body['state']}", None),
    ):
        status = (await api.get(path, params=params)).json()
        assert status["state"] == body["state"]
        assert status["status"] == "completed"
        assert status["socialAccountId"].startswith("sa_")
    accounts = (await api.get(f"/v1/projects/{pid}/social-accounts")).json()
    (account,) = accounts["items"]
    assert account["socialAccountId"] == status["socialAccountId"]
    assert account["platform"] == "tiktok"
    assert account["handle"] == "quinnscoffee"
    assert account["status"] == "connected"
    assert account["leased"] is False
    assert accounts["nextCursor"] is None


async def test_oauth_url_errors(api: Api) -> None:
    pid = (await api.project())["id"]
    bad = await api.post(
        f"/v1/projects/{pid}/social/oauth-url",
        {"platform": "tiktok", "returnUrl": "https://evil.example/x"},
    )
    assert error_of(bad, 403, "RETURN_URL_NOT_ALLOWED")["host"] == "evil.example"
    invalid = await api.post(f"/v1/projects/{pid}/social/oauth-url", {"platform": "myspace"})
    assert set(issue_paths(invalid)) == {"platform", "returnUrl"}
    error_of(await api.get("/v1/social/oauth-status/st_unknown"), 404, "NOT_FOUND")


async def test_denied_and_expired_consent(api: Api) -> None:
    pid = (await api.project())["id"]
    url = (
        await api.post(
            f"/v1/projects/{pid}/social/oauth-url",
            {"platform": "instagram", "returnUrl": SOCIAL_RETURN},
        )
    ).json()
    refused = await api.client.get(url["authorizeUrl"] + "&deny=1")
    assert query_of(refused.headers["location"])["status"] == "error"
    status = (await api.get(f"/v1/social/oauth-status/{url['state']}")).json()
    assert status["status"] == "failed"
    assert status["error"]["code"] == "access_denied"
    late = (
        await api.post(
            f"/v1/projects/{pid}/social/oauth-url",
            {"platform": "tiktok", "returnUrl": SOCIAL_RETURN},
        )
    ).json()
    api.clock.advance(31 * 60)
    assert (await api.get(f"/v1/social/oauth-status/{late['state']}")).json()["status"] == "failed"
    error_of(await api.client.get(late["authorizeUrl"]), 410, "STATE_EXPIRED")


async def test_oauth_status_is_scoped_to_the_creating_key(api: Api) -> None:
    pid = (await api.project())["id"]
    url = (
        await api.post(
            f"/v1/projects/{pid}/social/oauth-url",
            {"platform": "tiktok", "returnUrl": SOCIAL_RETURN},
        )
    ).json()
    other = await api.new_key(["*"])
    error_of(await api.get(f"/v1/social/oauth-status/{url['state']}", key=other), 404, "NOT_FOUND")


async def test_reconnecting_the_same_handle_keeps_the_account_id(api: Api) -> None:
    pid = (await api.project())["id"]
    first = await api.connect(pid, handle="quinn")
    again = await api.connect(pid, handle="quinn")
    other = await api.connect(pid, handle="quinn2")
    assert first == again != other
    listed = (await api.get(f"/v1/projects/{pid}/social-accounts", params={"limit": "1"})).json()
    assert len(listed["items"]) == 1
    assert listed["nextCursor"]
    tiktok = (
        await api.get(f"/v1/projects/{pid}/social-accounts", params={"platform": "instagram"})
    ).json()
    assert tiktok["items"] == []


async def test_revoke_cancels_queued_posts_and_404s_on_repeat(api: Api) -> None:
    pid = (await api.project())["id"]
    account = await api.connect(pid)
    cid = await api.content(pid)
    await api.schedule(cid, account, "2027-03-01T22:00:00Z")
    resp = await api.delete(f"/v1/social-accounts/{account}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "disconnected"
    assert body["disconnectedReason"] == "revoked_by_partner"
    assert body["canceledScheduledPosts"] == 1
    assert body["socialAccountId"] == account
    error_of(await api.delete(f"/v1/social-accounts/{account}"), 404, "NOT_FOUND")
    listed = (
        await api.get(f"/v1/projects/{pid}/social-accounts", params={"status": "disconnected"})
    ).json()
    assert [a["socialAccountId"] for a in listed["items"]] == [account]


async def test_reauth_url_rebinds_the_same_account(api: Api) -> None:
    pid = (await api.project())["id"]
    account = await api.connect(pid, handle="quinnscoffee")
    await api.client.post(f"/_emulator/social-accounts/{account}/expire")
    listed = (await api.get(f"/v1/projects/{pid}/social-accounts")).json()["items"]
    assert listed[0]["status"] == "reauth_required"
    body = {"socialAccountId": account, "returnUrl": SOCIAL_RETURN}
    resp = await api.post(f"/v1/projects/{pid}/social/reauth-url", body)
    assert resp.status_code == 200
    issued = resp.json()
    consent = await api.client.get(issued["authorizeUrl"] + "&handle=someoneelse")
    assert query_of(consent.headers["location"])["status"] == "success"
    status = (await api.get(f"/v1/social/oauth-status/{issued['state']}")).json()
    assert status["status"] == "completed"
    assert status["socialAccountId"] == account
    (again,) = (await api.get(f"/v1/projects/{pid}/social-accounts")).json()["items"]
    assert again["status"] == "connected"
    assert again["handle"] == "quinnscoffee"
    bad = await api.post(
        f"/v1/projects/{pid}/social/reauth-url",
        {
            "socialAccountId": "sa_00000000-0000-0000-0000-000000000000",
            "returnUrl": SOCIAL_RETURN,
            "x": 1,
        },
    )
    assert set(issue_paths(bad)) == {"socialAccountId", "x"}
    far = await api.post(
        f"/v1/projects/{pid}/social/reauth-url", {**body, "returnUrl": "https://evil.example/"}
    )
    error_of(far, 403, "RETURN_URL_NOT_ALLOWED")
