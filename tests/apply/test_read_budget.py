"""Reads are the binding class of an apply at the `standard` tier (issue 19): observing a
customer again reads its project by the id this run found or made, not by a lookup of its
customerExternalId and then the row.

In this process against the emulator's ASGI app (tests/apply/inprocess.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from layers_reconcile.apply.events import CustomerStatus
from tests.apply.inprocess import in_process
from tests.apply.test_record_writes import IDS, _write


class _CountingLookups(httpx.AsyncBaseTransport):
    """Counts, per customer, the lookups of its project by customerExternalId."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lookups: dict[str, int] = {}
        self.rows = 0  # GET /v1/projects/{id}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v1/projects":
            ext = request.url.params.get("customerExternalId")
            if ext:
                self.lookups[ext] = self.lookups.get(ext, 0) + 1
        elif request.method == "GET" and request.url.path.startswith("/v1/projects/"):
            self.rows += request.url.path.count("/") == 3
        return await self.inner.handle_async_request(request)


async def test_a_customer_is_looked_up_once_then_observed_by_its_project_id(
    tmp_path: Path,
) -> None:
    root = _write(tmp_path, "Download the app")
    async with in_process() as ip:
        counting = _CountingLookups(ip.transport)
        ip.transport = counting
        report = await ip.apply(root, wait_for_people=600.0)
        assert all(o.status is CustomerStatus.CONVERGED for o in report.outcomes), report.failed
        # The run's first observation looks each customer up; the later ones (after the
        # generation, and the one that confirms convergence) read the row by its id.
        assert counting.lookups == dict.fromkeys(IDS, 1)
        assert counting.rows >= 2 * len(IDS)
        await ip.assert_no_duplicates({c: {"containers": 1, "posts": 1} for c in IDS})
