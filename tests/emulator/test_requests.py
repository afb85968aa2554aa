"""The request models answer in the emulator's own words, and name the routes' vocabularies."""

from __future__ import annotations

import base64
from typing import get_args

from layers_reconcile.emulator import fakes, fields, posts, world
from tests.emulator.support import KEY, Api, error_of


def test_model_vocabularies_are_the_emulators() -> None:
    assert get_args(fields.Format) == (*fakes.FORMATS, "auto")
    assert get_args(fields.Mode) == posts.ALL_MODES
    assert get_args(fields.SdkPlatform) == world.SDK_PLATFORMS


async def test_issues_keep_their_paths_and_messages(api: Api) -> None:
    resp = await api.post(
        "/v1/projects",
        {"name": "x" * 129, "timezone": None, "primaryLanguage": None, "ownerEmail": 3},
    )
    details = error_of(resp, 422, "VALIDATION")
    assert details["issues"] == [
        {"path": "name", "message": "must be at most 128 characters"},
        {"path": "timezone", "message": "must not be null"},
        {"path": "primaryLanguage", "message": "must not be null"},
        {"path": "ownerEmail", "message": "must be a string"},
    ]
    assert resp.json()["error"]["message"] == "name: must be at most 128 characters"
    body = error_of(await api.post("/v1/projects", [1]), 422, "VALIDATION")
    assert body["issues"] == [{"path": "", "message": "must be a JSON object"}]
    pid = (await api.project())["id"]
    bad = await api.patch(f"/v1/projects/{pid}/approval-policy", {"firstNPostsBlocked": 51})
    assert error_of(bad, 400, "VALIDATION")["issues"] == [
        {"path": "firstNPostsBlocked", "message": "must be between 0 and 50"}
    ]
    brief = {"targetPlatforms": [], "hook": "ok", "partnerKey": {"kept": True}}
    bad = await api.post(f"/v1/projects/{pid}/content", {"brief": brief})
    assert error_of(bad, 422, "VALIDATION")["issues"] == [
        {"path": "brief.targetPlatforms", "message": "must have between 1 and 2 items"}
    ]


async def test_values_past_what_the_emulator_can_echo_are_refused_not_500(api: Api) -> None:
    pid = (await api.project())["id"]
    cid = await api.content(pid)
    account = await api.connect(pid)
    for when in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00"):
        resp = await api.schedule(cid, account, when)
        assert error_of(resp, 422, "VALIDATION")["issues"][0]["path"] == "scheduledFor"
    posts = await api.get(f"/v1/projects/{pid}/scheduled-posts", params={"until": when})
    error_of(posts, 422, "VALIDATION")
    huge = {"autoApproveAfter": "P" + "9" * 400 + "D"}
    bad = await api.patch(f"/v1/projects/{pid}/approval-policy", huge)
    assert error_of(bad, 400, "VALIDATION")["issues"][0]["path"] == "autoApproveAfter"


async def test_bodies_that_are_not_storable_json_are_400(api: Api) -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    for raw in (
        b'{"name": "a", "timezone": "UTC", "metadata": {"x": NaN}}',
        b'{"name": "a", "timezone": "UTC", "metadata": {"x": "\\ud800"}}',
        b"[" * 100_000 + b"]" * 100_000,
    ):
        resp = await api.client.post("/v1/projects", content=raw, headers=headers)
        assert error_of(resp, 400, "VALIDATION")["issues"] == [
            {"path": "", "message": "is not valid JSON"}
        ]
    pair = b'{"name": "caf\\ud83d\\ude00", "timezone": "UTC"}'
    resp = await api.client.post("/v1/projects", content=pair, headers=headers)
    assert resp.status_code == 201
    assert resp.json()["name"] == "caf\U0001f600"


async def test_a_return_url_that_cannot_be_parsed_is_422(api: Api) -> None:
    pid = (await api.project())["id"]
    body = {"platform": "tiktok", "returnUrl": "https://[invalid/cb"}
    resp = await api.post(f"/v1/projects/{pid}/social/oauth-url", body)
    assert error_of(resp, 422, "VALIDATION")["issues"][0]["path"] == "returnUrl"
    params = {"returnUrl": "https://[invalid/cb"}
    resp = await api.get("/v1/github/installation/install-url", params=params)
    assert error_of(resp, 422, "VALIDATION")["issues"][0]["path"] == "returnUrl"


async def test_a_cursor_nested_too_deep_to_decode_is_422(api: Api) -> None:
    deep = base64.urlsafe_b64encode(b"[" * 2000 + b"]" * 2000).decode().rstrip("=")
    resp = await api.get("/v1/projects", params={"cursor": deep})
    assert error_of(resp, 422, "VALIDATION")["issues"][0]["path"] == "cursor"
