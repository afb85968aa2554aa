"""apply reads the API's answers as the client parsed them: a failed post's error, a job's progress."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.apply.events import ApplyEvent, CustomerStatus, JobProgress
from tests.apply.inprocess import in_process
from tests.apply.support import due_post_customer

DUE = due_post_customer("failed-post-040", "A post whose account expires")


async def test_a_failed_post_is_reported_with_the_code_the_api_gave(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/failed-post.yaml").write_text(DUE)
    async with in_process() as ip:

        async def expire_once_scheduled() -> None:
            """The account's token expires while its post is out (a person revoked it)."""
            for project in await ip.projects("failed-post-040"):
                pid = project["id"]
                if not await ip.items(f"/v1/projects/{pid}/scheduled-posts"):
                    return
                for account in await ip.items(f"/v1/projects/{pid}/social-accounts"):
                    sid = account.get("socialAccountId") or account["id"]
                    if account["status"] == "connected":
                        expired = await ip.reader.post(f"/_emulator/social-accounts/{sid}/expire")
                        expired.raise_for_status()

        ip.meanwhile.append(expire_once_scheduled)
        report = await ip.apply(ws, wait_for_publish=True)
        (outcome,) = report.outcomes
        assert outcome.status == CustomerStatus.FAILED, outcome
        assert outcome.failure is not None
        assert outcome.failure.message.startswith("the post failed: CREDENTIAL_INVALID"), outcome
        assert outcome.failure.code == "CREDENTIAL_INVALID"


async def test_a_job_s_progress_reaches_the_user_with_its_stage_and_percent(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/failed-post.yaml").write_text(DUE)
    events: list[ApplyEvent] = []
    async with in_process() as ip:
        report = await ip.apply(ws, on_event=events.append)
    assert [o.status for o in report.outcomes] == [CustomerStatus.CONVERGED], report
    progress = [e for e in events if isinstance(e, JobProgress)]
    assert progress, events
    assert all(e.job_id and e.address.startswith("failed-post-040/") for e in progress)
    assert any(e.stage and e.percent is not None and 0 <= e.percent <= 100 for e in progress)
