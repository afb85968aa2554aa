"""The request models answer in the emulator's own words, and name the routes' vocabularies."""

from __future__ import annotations

from typing import get_args

from layers_reconcile.emulator import fakes, fields, posts, world
from tests.emulator.support import Api, error_of


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
