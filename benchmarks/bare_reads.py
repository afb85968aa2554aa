"""The bare script `plan_noop.py` compares the tool with: the reads of a no-op plan, with nothing
but httpx, run as a script of its own (interpreter start and imports included, as the plan's).

    python benchmarks/bare_reads.py URL KEY [--customers 1000] [--parallelism 8] [--paced]
        [--tool-transport]

Customers `bench-00000`… (as `plan_noop.py` seeds them). Prints the number of requests sent.
`--tool-transport` sends through the tool's own httpx transport (`client/network.py`: httpx's,
with the pool's readability check made cheap) instead of httpx's default one: what is left
between the plan and this is the tool's own work, not the HTTP layer's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

READ_RPM, READ_BURST = 6000, 600  # partner tier, as the client paces it


class Bucket:
    def __init__(self, rpm: int | None) -> None:
        self.interval = 60.0 / (rpm - READ_BURST) if rpm else 0.0
        self.tolerance = (READ_BURST - 1) * self.interval
        self.tat = time.monotonic()

    async def take(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        start = max(now, self.tat - self.tolerance)
        self.tat = max(self.tat, start) + self.interval
        if start > now:
            await asyncio.sleep(start - now)


async def bare(
    url: str,
    key: str,
    ids: list[str],
    parallelism: int,
    paced: bool,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """The same reads as the no-op plan, with nothing but httpx."""
    sent = 0
    bucket = Bucket(READ_RPM if paced else None)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=30, transport=transport
    ) as http:

        async def get(path: str, params: dict[str, str | int] | None = None) -> object:
            nonlocal sent
            await bucket.take()
            sent += 1
            r = await http.get(path, params=params)
            r.raise_for_status()
            return r.json()

        await get("/v1/whoami")
        # The projects list once (200 a page) gives every customer's project id.
        found: dict[str, str] = {}
        cursor: object = None
        while True:
            params: dict[str, str | int] = {"limit": 200}
            if isinstance(cursor, str) and cursor:
                params["cursor"] = cursor
            page = await get("/v1/projects", params)
            assert isinstance(page, dict)
            found.update({p["customerExternalId"]: p["id"] for p in page["items"]})
            cursor = page.get("nextCursor")
            if not cursor:
                break
        gate = asyncio.Semaphore(parallelism)

        async def customer(ext: str) -> None:
            async with gate:
                pid = found[ext]
                await get(f"/v1/projects/{pid}")
                await asyncio.gather(
                    get(f"/v1/projects/{pid}/influencers", {"limit": 100}),
                    get(f"/v1/projects/{pid}/social-accounts", {"limit": 200}),
                    get(f"/v1/projects/{pid}/content", {"limit": 200}),
                    get(f"/v1/projects/{pid}/scheduled-posts", {"limit": 100}),
                )

        await asyncio.gather(*(customer(e) for e in ids))
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--paced", action="store_true")
    parser.add_argument("--tool-transport", action="store_true")
    args = parser.parse_args()
    transport = None
    if args.tool_transport:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from layers_reconcile.client.network import Transport

        transport = Transport()
    ids = [f"bench-{i:05d}" for i in range(args.customers)]
    print(asyncio.run(bare(args.url, args.key, ids, args.parallelism, args.paced, transport)))


if __name__ == "__main__":
    main()
