"""The onboarding guide, every step, over real HTTP against `layers-reconcile emulator`."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers_reconcile.emulator.settings import DEV_API_KEY
from tests.emulator.support import BRIEF, RETURN_URL, SOCIAL_RETURN, query_of
from tests.meanwhile import GUARD

pytestmark = pytest.mark.slow
TERMINAL = ("completed", "failed", "canceled")


@contextmanager
def emulator(*args: str) -> Iterator[tuple[str, str]]:
    """Start the CLI as a subprocess; yield its URL and the banner it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "layers_reconcile", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in proc.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        banner = ""
        while "Ctrl-C" not in banner:
            try:
                banner += lines.get(timeout=GUARD)
            except queue.Empty:
                raise AssertionError(f"the emulator did not start: {banner}") from None
        match = re.search(r"listening on (http://\S+)", banner)
        assert match is not None, banner
        yield match.group(1), banner
    finally:
        proc.terminate()
        proc.wait(timeout=GUARD)
        reader.join(5)
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        assert "Traceback" not in err, err


def wait_for(probe: Callable[[], Any], timeout: float = GUARD) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def bearer(key: str = DEV_API_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def poll_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        return job if job["status"] in TERMINAL else None

    result: dict[str, Any] = wait_for(done)
    return result


def soon(seconds: float = 0.5) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[
        :-3
    ] + "Z"


def test_the_guide_end_to_end() -> None:
    with (
        emulator("--speed", "1000") as (url, banner),
        httpx.Client(base_url=url, headers=bearer()) as c,
    ):
        assert DEV_API_KEY in banner
        assert "dev key" in banner

        # 1. Create the project (idempotent on the key).
        key = str(uuid.uuid4())
        body = {
            "name": "Quinns Coffee Co",
            "customerExternalId": "quinn-coffee-001",
            "timezone": "America/Los_Angeles",
            "primaryLanguage": "en",
        }
        created = c.post("/v1/projects", json=body, headers={"Idempotency-Key": key})
        assert created.status_code == 201
        project = created.json()
        replay = c.post("/v1/projects", json=body, headers={"Idempotency-Key": key})
        assert replay.json() == project
        clash = c.post("/v1/projects", json={**body, "name": "x"}, headers={"Idempotency-Key": key})
        assert clash.status_code == 409
        assert clash.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
        found = c.get("/v1/projects", params={"customerExternalId": "quinn-coffee-001"}).json()
        assert [p["id"] for p in found["items"]] == [project["id"]]
        pid = project["id"]

        # 2. Register the GitHub installation: install URL → the customer installs → callback.
        install = c.get(
            "/v1/github/installation/install-url", params={"returnUrl": RETURN_URL}
        ).json()
        callback = httpx.get(install["authorizeUrl"])
        assert callback.status_code == 302
        back = query_of(callback.headers["location"])
        assert back["state"] == install["state"]
        registered = c.post(
            "/v1/github/installation",
            json={"installationId": int(back["installation_id"]), "state": back["state"]},
            headers={"X-Api-Key": DEV_API_KEY, "Authorization": "Bearer wrong"},
        )
        assert registered.status_code == 200
        assert registered.json()["installationId"] == 48271993
        assert registered.json()["githubAccount"] == {
            "login": "quinns-coffee",
            "type": "Organization",
        }

        # 3. Ingest the repo and poll the job; then each failure path.
        ingest = c.post(
            f"/v1/projects/{pid}/ingest/github",
            json={
                "repoFullName": "quinns-coffee/quinns-app",
                "branch": "main",
                "sdkConfig": {"includePlatforms": ["ios", "web"]},
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert ingest.status_code == 202
        accepted = ingest.json()
        assert accepted["status"] == "running"
        assert accepted["locationUrl"] == f"/v1/jobs/{accepted['jobId']}"
        job = poll_job(c, accepted["jobId"])
        assert job["status"] == "completed"
        assert job["stage"] == "finalizing"
        assert job["progress"] == 1
        assert job["result"]["prUrl"] == "https://github.com/quinns-coffee/quinns-app/pull/142"
        assert job["result"]["sdkAppId"].startswith("app_")
        assert job["result"]["brandContext"]["tagline"] == "Your cafe, skip the line."

        other = c.post(f"/v1/projects/{pid}/ingest/github", json={"repoFullName": "elsewhere/app"})
        assert other.status_code == 422
        assert other.json()["error"]["code"] == "PLATFORM_ERROR"
        assert other.json()["error"]["details"]["reason"] == "installation_not_found"
        private = c.post(
            f"/v1/projects/{pid}/ingest/github", json={"repoFullName": "quinns-coffee/ops-private"}
        )
        assert private.status_code == 422
        assert private.json()["error"]["code"] == "VALIDATION"
        assert private.json()["error"]["details"]["issues"][0]["path"] == "repoFullName"
        nosdk = c.post(
            f"/v1/projects/{pid}/ingest/github", json={"repoFullName": "quinns-coffee/site-nosdk"}
        )
        failed = poll_job(c, nosdk.json()["jobId"])
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "SDK_PATCH_GENERATION_FAILED"
        retry = c.post(
            f"/v1/projects/{pid}/ingest/github",
            json={
                "repoFullName": "quinns-coffee/quinns-app",
                "sdkConfig": {"includePlatforms": ["ios", "web"]},
            },
        )
        assert poll_job(c, retry.json()["jobId"])["status"] == "completed"

        # 4. Review the brand context; edit one field.
        project = c.get(f"/v1/projects/{pid}").json()
        assert project["brandContext"]["appName"] == "Quinn's Coffee"
        assert {layer["kind"] for layer in project["layers"]} == {"content", "distribution"}
        edited = c.patch(
            f"/v1/projects/{pid}", json={"brandContext": {"brandVoice": "Warm and quick."}}
        ).json()
        assert edited["brandContext"]["brandVoice"] == "Warm and quick."
        assert edited["brandContext"]["tagline"] == "Your cafe, skip the line."

        # 5. Select the influencer.
        influencers = c.get(f"/v1/projects/{pid}/influencers").json()
        (maya,) = influencers["items"]
        assert maya["name"] == "Maya — PNW cafe regular"
        assert influencers["nextCursor"] is None

        # The approval gate the guide assumes: requiresApproval, first 3 posts blocked.
        policy = c.patch(
            f"/v1/projects/{pid}/approval-policy",
            json={"requiresApproval": True, "firstNPostsBlocked": 3},
        )
        assert policy.json()["requiresApproval"] is True

        # 6. Generate content.
        def generate(hook: str) -> str:
            brief = {**BRIEF, "hook": hook, "influencerId": maya["influencerId"]}
            resp = c.post(
                f"/v1/projects/{pid}/content",
                json={"format": "auto", "variantCount": 1, "brief": brief},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert resp.status_code == 202
            accepted = resp.json()
            assert accepted["format"] == "video_remix"
            assert accepted["status"] == "running"
            assert poll_job(c, accepted["jobId"])["status"] == "completed"
            container_id: str = accepted["containerIds"][0]
            return container_id

        first = generate("Your cafe, skip the line.")
        content = c.get(f"/v1/content/{first}").json()
        assert content["status"] == "completed"
        assert content["approvalStatus"] == "pending"
        assert content["captionVariants"][0]["platform"] == "tiktok"
        assert content["mediaAssets"][0]["kind"] == "video"

        # 8. Connect a social account by following the authorize URL (before approving, so the
        # schedule below meets the gate).
        oauth = c.post(
            f"/v1/projects/{pid}/social/oauth-url",
            json={"platform": "tiktok", "returnUrl": SOCIAL_RETURN},
        ).json()
        consent = httpx.get(oauth["authorizeUrl"] + "&handle=quinnscoffee")
        assert consent.status_code == 302
        assert query_of(consent.headers["location"]) == {
            "layers_state": oauth["state"],
            "status": "success",
        }
        status = c.get(
            f"/v1/projects/{pid}/social/oauth-status", params={"state": oauth["state"]}
        ).json()
        assert status["status"] == "completed"
        account = status["socialAccountId"]

        # The gate, one way: schedule while pending → blocked; approve → promoted.
        target = {"socialAccountId": account, "mode": "direct_publish"}
        blocked = c.post(
            f"/v1/content/{first}/schedule", json={"targets": [target], "scheduledFor": soon()}
        )
        assert blocked.status_code == 202
        assert blocked.json()["gateStatus"] == "blocked_on_approval"
        assert blocked.json()["scheduledPostIds"] == []

        # 7. Approve.
        approved = c.post(
            f"/v1/content/{first}/approve",
            json={"note": "Matches brief"},
            headers={"X-Api-Key": DEV_API_KEY},
        )
        assert approved.status_code == 200
        assert approved.json()["approvalStatus"] == "approved"
        promotion = approved.json()["pendingSchedulePromotion"]
        assert promotion["status"] == "ok"
        assert len(promotion["scheduledPostIds"]) == 1

        # The gate, the other way: approve first, then schedule → queued at once.
        second = generate("Skip the line, keep the latte art.")
        c.post(f"/v1/content/{second}/approve")
        queued = c.post(
            f"/v1/content/{second}/schedule",
            json={"targets": [target], "scheduledFor": soon()},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert queued.status_code == 200
        assert queued.json()["gateStatus"] == "queued"

        # And rejected content never schedules.
        third = generate("Coffee, but faster.")
        c.post(f"/v1/content/{third}/reject", json={"reason": "Off brand"})
        refused = c.post(
            f"/v1/content/{third}/schedule", json={"targets": [target], "scheduledFor": soon()}
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "CONTENT_REJECTED"

        # 9-10. Poll the scheduled posts until they are live.
        for post_id in promotion["scheduledPostIds"] + queued.json()["scheduledPostIds"]:

            def published(post_id: str = post_id) -> dict[str, Any] | None:
                post: dict[str, Any] = c.get(f"/v1/scheduled-posts/{post_id}").json()
                return post if post["status"] == "published" else None

            post = wait_for(published)
            assert (
                post["externalUrl"]
                == f"https://www.tiktok.com/@quinnscoffee/video/{post['externalId']}"
            )
            assert post["publishedAt"].endswith("Z")

        stats = httpx.get(f"{url}/_emulator/stats").json()
        assert stats["routes"]["POST /v1/projects"] == 3
        assert stats["routes"]["GET /v1/jobs/{jobId}"] >= 7


def test_auto_consent_completes_every_consent_by_itself() -> None:
    with emulator("--speed", "50", "--auto-consent", "--api-key", "my-own-key") as (url, banner):
        assert "my-own-key" not in banner
        assert DEV_API_KEY not in banner
        with httpx.Client(base_url=url, headers=bearer("my-own-key")) as c:
            params = {"returnUrl": RETURN_URL, "login": "acme-labs"}
            c.get("/v1/github/installation/install-url", params=params).raise_for_status()

            def registered() -> dict[str, Any] | None:
                resp = c.get("/v1/github/installation")
                return resp.json() if resp.status_code == 200 else None

            assert wait_for(registered)["orgLogin"] == "acme-labs"
            pid = c.post("/v1/projects", json={"name": "Acme", "timezone": "UTC"}).json()["id"]
            oauth = c.post(
                f"/v1/projects/{pid}/social/oauth-url",
                json={"platform": "instagram", "returnUrl": SOCIAL_RETURN},
            ).json()

            def connected() -> dict[str, Any] | None:
                status: dict[str, Any] = c.get(f"/v1/social/oauth-status/{oauth['state']}").json()
                return status if status["status"] == "completed" else None

            assert wait_for(connected)["socialAccountId"].startswith("sa_")
            assert c.get("/v1/whoami", headers=bearer()).status_code == 401


def test_state_survives_a_restart_of_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "layers.sqlite")
    with emulator("--db", db) as (url, banner):
        assert db in banner
        pid = httpx.post(
            f"{url}/v1/projects", json={"name": "Kept", "timezone": "UTC"}, headers=bearer()
        ).json()["id"]
    with emulator("--db", db) as (url, _):
        resp = httpx.get(f"{url}/v1/projects/{pid}", headers=bearer())
        assert resp.status_code == 200
        assert resp.json()["name"] == "Kept"


def test_the_cli_refuses_bad_flags() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "layers_reconcile", "emulator", "--rate-limit-tier", "gold"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "gold" in proc.stderr
