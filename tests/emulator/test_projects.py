"""Contract tests: whoami, projects, approval policy."""

from __future__ import annotations

import uuid

from tests.emulator.support import Api, error_of, issue_paths

GUIDE_BODY = {
    "name": "Quinns Coffee Co",
    "customerExternalId": "quinn-coffee-001",
    "timezone": "America/Los_Angeles",
    "primaryLanguage": "en",
}


async def test_whoami_reports_org_scopes_and_a_tier(api: Api) -> None:
    resp = await api.get("/v1/whoami")
    assert resp.status_code == 200
    body = resp.json()
    assert body["scopes"] == ["*"]
    assert body["rateLimitTier"] == "partner"
    assert body["organizationId"] == body["workspaceId"]
    assert {"organizationName", "apiKeyId", "creditBalance", "killSwitch"} <= set(body)


async def test_create_project_returns_the_guide_shape(api: Api) -> None:
    resp = await api.post("/v1/projects", GUIDE_BODY, idem=str(uuid.uuid4()))
    assert resp.status_code == 201
    body = resp.json()
    uuid.UUID(body["id"])  # bare uuid, as the guide says
    expected = {
        "name": "Quinns Coffee Co",
        "status": "active",
        "customerExternalId": "quinn-coffee-001",
        "timezone": "America/Los_Angeles",
        "primaryLanguage": "en",
        "ownerEmail": None,
        "brand": None,
        "brandContext": None,
        "ingestState": {"github": None, "website": None, "appstore": None},
        "requiresApproval": False,
        "firstNPostsBlocked": None,
        "currentBlockedCount": 0,
        "metadata": None,
    }
    assert {k: body[k] for k in expected} == expected
    assert body["createdAt"].endswith("Z")
    assert body["createdAt"] == body["updatedAt"]
    assert body["organizationId"]


async def test_create_project_validation_names_the_fields(api: Api) -> None:
    resp = await api.post("/v1/projects", {"timezone": "Mars/Olympus", "metadata": []})
    error_of(resp, 422, "VALIDATION")
    assert set(issue_paths(resp)) == {"name", "timezone", "metadata"}
    resp = await api.post("/v1/projects", {"name": "x"})
    assert issue_paths(resp) == ["timezone"]


async def test_partner_supplied_id_makes_create_idempotent(api: Api) -> None:
    pid = str(uuid.uuid4())
    first = await api.post("/v1/projects", {**GUIDE_BODY, "id": pid})
    again = await api.post("/v1/projects", {**GUIDE_BODY, "id": f"prj_{pid}"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"] == pid
    other = await api.post("/v1/projects", {**GUIDE_BODY, "id": pid, "customerExternalId": "x"})
    assert error_of(other, 409, "CONFLICT")["projectId"] == pid
    listed = await api.get("/v1/projects")
    assert len(listed.json()["items"]) == 1


async def test_customer_external_id_is_unique_among_active_projects(api: Api) -> None:
    first = await api.project()
    dup = await api.post("/v1/projects", GUIDE_BODY)
    assert error_of(dup, 409, "CONFLICT")["projectId"] == first["id"]
    await api.delete(f"/v1/projects/{first['id']}")
    second = await api.post("/v1/projects", GUIDE_BODY)
    assert second.status_code == 201
    revive = await api.patch(f"/v1/projects/{first['id']}", {"status": "active"})
    assert error_of(revive, 409, "CONFLICT")["projectId"] == second.json()["id"]


async def test_list_projects_filters_and_paginates(api: Api) -> None:
    ids = [(await api.project(f"c-{i}", name=f"Shop {i}"))["id"] for i in range(5)]
    await api.delete(f"/v1/projects/{ids[0]}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/projects", params=params)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))  # newest first, every item once
    item = (await api.get("/v1/projects", params={"customerExternalId": "c-3"})).json()["items"]
    assert [p["id"] for p in item] == [ids[3]]
    assert set(item[0]) >= {"id", "name", "status", "customerExternalId", "timezone", "createdAt"}
    active = (await api.get("/v1/projects", params={"status": "active"})).json()["items"]
    assert ids[0] not in [p["id"] for p in active]
    assert len(active) == 4
    found = (await api.get("/v1/projects", params={"search": "shop 2"})).json()["items"]
    assert [p["id"] for p in found] == [ids[2]]
    bad = await api.get("/v1/projects", params={"limit": "500"})
    assert issue_paths(bad) == ["limit"]
    bad = await api.get("/v1/projects", params={"cursor": "garbage!"})
    assert issue_paths(bad) == ["cursor"]
    bad = await api.get("/v1/projects", params={"status": "gone"})
    assert issue_paths(bad) == ["status"]


async def test_get_project_accepts_both_id_forms_and_404s(api: Api) -> None:
    project = await api.project()
    for ident in (project["id"], f"prj_{project['id']}"):
        resp = await api.get(f"/v1/projects/{ident}")
        assert resp.status_code == 200
        body = resp.json()
        assert body["approvalPolicy"] == {
            "requiresApproval": False,
            "firstNPostsBlocked": None,
            "currentBlockedCount": 0,
            "autoApproveAfter": None,
        }
        assert [layer["kind"] for layer in body["layers"]] == [
            "content",
            "distribution",
            "distribution",
        ]
    error_of(await api.get(f"/v1/projects/{uuid.uuid4()}"), 404, "NOT_FOUND")
    error_of(await api.get("/v1/projects/not-a-uuid"), 422, "VALIDATION")


async def test_patch_is_partial_brand_merges_and_metadata_replaces(api: Api) -> None:
    project = await api.project(metadata={"tier": "gold", "layersReconcile": {"v": 1}})
    pid = project["id"]
    await api.ingest(pid)
    resp = await api.patch(f"/v1/projects/{pid}", {"brandContext": {"tagline": "New tagline."}})
    assert resp.status_code == 200
    brand = resp.json()["brandContext"]
    assert brand["tagline"] == "New tagline."
    assert brand["appName"] == "Quinn's Coffee"  # untouched fields stay
    resp = await api.patch(
        f"/v1/projects/{pid}", {"metadata": {"tier": "silver"}, "name": "Quinns"}
    )
    body = resp.json()
    assert body["metadata"] == {"tier": "silver"}
    assert body["name"] == "Quinns"
    assert body["timezone"] == "UTC"


async def test_patch_rejects_read_only_and_approval_fields_with_400(api: Api) -> None:
    pid = (await api.project())["id"]
    resp = await api.patch(
        f"/v1/projects/{pid}", {"id": "x", "ingestState": {}, "requiresApproval": True}
    )
    error_of(resp, 400, "VALIDATION")
    assert set(issue_paths(resp)) == {"id", "ingestState", "requiresApproval"}
    resp = await api.patch(f"/v1/projects/{pid}", {"brandContext": {"colour": "red"}})
    assert issue_paths(resp) == ["brandContext.colour"]
    error_of(await api.patch(f"/v1/projects/{pid}", {}), 400, "VALIDATION")


async def test_delete_archives_idempotently_and_cancels_queued_posts(api: Api) -> None:
    pid = (await api.project())["id"]
    account = await api.connect(pid)
    container = await api.content(pid)
    sched = await api.schedule(container, account, "2027-03-01T22:00:00Z")
    post_id = sched.json()["scheduledPostIds"][0]
    first = await api.delete(f"/v1/projects/{pid}")
    assert first.status_code == 200
    assert first.json()["status"] == "archived"
    assert first.json()["canceledScheduledPosts"] == 1
    api.clock.advance(5)
    second = await api.delete(f"/v1/projects/{pid}")
    assert second.status_code == 200
    assert second.json()["archivedAt"] > first.json()["archivedAt"]
    assert second.json()["canceledScheduledPosts"] == 0
    post = (await api.get(f"/v1/scheduled-posts/{post_id}")).json()
    assert post["status"] == "canceled"
    error_of(await api.post(f"/v1/projects/{pid}/content", {"brief": {}}), 409, "CONFLICT")
    revived = await api.patch(f"/v1/projects/{pid}", {"status": "active"})
    assert revived.json()["status"] == "active"
    assert revived.json()["archivedAt"] is None


async def test_approval_policy_get_patch_and_flat_fields(api: Api) -> None:
    pid = (await api.project())["id"]
    resp = await api.get(f"/v1/projects/{pid}/approval-policy")
    assert resp.json()["requiresApproval"] is False
    resp = await api.patch(
        f"/v1/projects/{pid}/approval-policy", {"requiresApproval": True, "firstNPostsBlocked": 3}
    )
    body = resp.json()
    assert body["projectId"] == pid
    assert body["requiresApproval"] is True
    assert body["firstNPostsBlocked"] == 3
    assert body["currentBlockedCount"] == 0
    project = (await api.get(f"/v1/projects/{pid}")).json()
    assert project["requiresApproval"] is True
    assert project["firstNPostsBlocked"] == 3
    assert project["approvalPolicy"]["firstNPostsBlocked"] == 3
    await api.generate(pid)
    project = (await api.get(f"/v1/projects/{pid}")).json()
    assert project["currentBlockedCount"] == 1
    bad = await api.patch(f"/v1/projects/{pid}/approval-policy", {"firstNPostsBlocked": 51})
    error_of(bad, 400, "VALIDATION")
    assert issue_paths(bad) == ["firstNPostsBlocked"]
    bad = await api.patch(f"/v1/projects/{pid}/approval-policy", {"autoApproveAfter": "soon"})
    assert issue_paths(bad) == ["autoApproveAfter"]
    error_of(await api.patch(f"/v1/projects/{pid}/approval-policy", {}), 400, "VALIDATION")


async def test_first_n_posts_blocked_gates_only_the_first_n(api: Api) -> None:
    pid = (await api.project())["id"]
    await api.gate(pid, first_n=2)
    first = await api.generate(pid, variantCount=3)
    statuses = []
    for cid in first["containerIds"]:
        statuses.append((await api.get(f"/v1/content/{cid}")).json()["approvalStatus"])
    assert statuses == ["pending", "pending", "not_required"]


async def test_credits_report_the_per_format_estimates(api: Api) -> None:
    pid = (await api.project())["id"]
    before = (await api.get("/v1/credits")).json()
    assert before["estimatedCreditsPerFormat"]["video_remix"] == 120
    assert before["estimatedCreditsPerFormat"]["auto"] == 120
    await api.generate(pid, variantCount=2)
    after = (await api.get("/v1/credits")).json()
    assert before["balance"] - after["balance"] == 240
    assert (await api.get("/v1/whoami")).json()["creditBalance"] == after["balance"]
