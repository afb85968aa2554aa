"""The tool's own bookkeeping stays cheap (issue 19): the reserved record is written when
something that must survive a crash changes, at most once per stage, not after every step.

In this process against the emulator's ASGI app (tests/apply/inprocess.py); every PATCH of a
project that carries `metadata` is one write of the record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers_reconcile.apply.events import CustomerStatus
from layers_reconcile.plan.ids import RESERVED_KEY
from tests.apply.inprocess import InProcess, in_process

CUSTOMER = """\
customerExternalId: {ext}
project:
  name: Cafe {ext}
  timezone: America/Los_Angeles
  metadata: {{tier: gold}}
approval:
  requiresApproval: true
github:
  installationId: 48271993
  repo: quinns-coffee/{ext}
  branch: main
  platforms: [ios, web]
brand:
  tagline: {ext}, skip the line.
influencer:
  name: Host of {ext}
  gender: female
social:
  tiktok:
    returnUrl: https://app.your-partner.com/customers/{ext}/social-complete
content:
  launch-hook:
    brief:
      hook: {ext}, skip the line.
      cta: {cta}
    approve: true
    schedule:
      - account: tiktok
        mode: direct_publish
        at: 2027-03-01T22:00:00Z
"""
IDS = ["cafe-1", "cafe-2", "cafe-3"]


class _CountingWrites(httpx.AsyncBaseTransport):
    """Counts the record writes each project receives on their way to the emulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.record_writes: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "PATCH" and len(parts) == 3 and parts[1] == "projects":
            body = json.loads(request.content or b"{}")
            if RESERVED_KEY in (body.get("metadata") or {}):
                self.record_writes[parts[2]] = self.record_writes.get(parts[2], 0) + 1
        return await self.inner.handle_async_request(request)


def _write(root: Path, cta: str) -> Path:
    (root / "customers").mkdir(parents=True, exist_ok=True)
    (root / "layers.yaml").write_text("workspace: writes\n")
    for ext in IDS:
        (root / "customers" / f"{ext}.yaml").write_text(CUSTOMER.format(ext=ext, cta=cta))
    return root


async def _apply(ip: InProcess, root: Path) -> dict[str, int]:
    counting = _CountingWrites(ip.transport)
    ip.transport = counting
    try:
        report = await ip.apply(root, wait_for_people=600.0)
    finally:
        ip.transport = counting.inner
    assert all(o.status is CustomerStatus.CONVERGED for o in report.outcomes), report.failed
    return counting.record_writes


async def test_a_new_customer_costs_at_most_3_record_writes_and_a_changed_one_1(
    tmp_path: Path,
) -> None:
    root = _write(tmp_path, "Download the app")
    async with in_process() as ip:
        first = await _apply(ip, root)
        assert len(first) == len(IDS)
        assert max(first.values()) <= 3, first
        _write(tmp_path, "Get it today")  # every brief changes: one regenerate per customer
        rerun = await _apply(ip, root)
        assert len(rerun) == len(IDS)
        assert max(rerun.values()) <= 1, rerun
        unchanged = await _apply(ip, root)
        assert unchanged == {}
        await ip.assert_no_duplicates({c: {"containers": 1, "posts": 1} for c in IDS})


def project_reserved(answer: httpx.Response) -> dict[str, Any]:
    record: dict[str, Any] = answer.json()["metadata"][RESERVED_KEY]
    return record


class _Crash(BaseException):
    """The process dies (kill -9): nothing after it runs, no cleanup writes anything."""


class _DiesAt(httpx.AsyncBaseTransport):
    """Lets requests through until the first one matching `method path-suffix`, then dies."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, suffix: str) -> None:
        self.inner = inner
        self.method = method
        self.suffix = suffix

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.method and request.url.path.endswith(self.suffix):
            raise _Crash
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("POST", "/content"),  # ingest's end, the influencer's job and its pin not written yet
        ("POST", "/approve"),  # the generation's end not written yet
        ("POST", "/schedule"),
    ],
)
async def test_a_run_that_dies_before_its_pending_record_is_written_converges_on_rerun(
    tmp_path: Path, method: str, suffix: str
) -> None:
    root = _write(tmp_path, "Download the app")
    async with in_process() as ip:
        real = ip.transport
        ip.transport = _DiesAt(real, method, suffix)
        with pytest.raises(BaseExceptionGroup) as died:
            await ip.apply(root, wait_for_people=600.0)
        assert died.group_contains(_Crash)
        ip.transport = real
        report = await ip.apply(root, wait_for_people=600.0)
        assert all(o.status is CustomerStatus.CONVERGED for o in report.outcomes), report.failed
        await ip.assert_no_duplicates({c: {"containers": 1, "posts": 1} for c in IDS})
        for ext in IDS:
            (project,) = await ip.projects(ext)
            influencers = await ip.items(f"/v1/projects/{project['id']}/influencers")
            assert [i["name"] for i in influencers].count(f"Host of {ext}") == 1
            pinned = project_reserved(await ip.reader.get(f"/v1/projects/{project['id']}"))
            assert pinned["influencerId"] in {i["influencerId"] for i in influencers}
        again = await _apply(ip, root)
        assert again == {}  # converged: nothing left to record
