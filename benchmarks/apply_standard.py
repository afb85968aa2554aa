"""Apply N new customers at the `standard` rate-limit tier: the tool's own record writes, and
wall time against the lower bound of the binding endpoint class. Prints figures; run by hand:

    .venv/bin/python benchmarks/apply_standard.py [--customers 30] [--speed 60] [--no-baseline]

1. N customer files of the guide's shape (benchmarks/apply_fifty.py) in a fresh workspace; the
   emulator in its own process with `--rate-limit-tier standard` (read-light 120, write-light 60,
   long-running 20 a minute), `--auto-consent`, jobs `--speed` times faster than documented.
2. `apply` of all N (the executor in this process, paced to the tier as the CLI is): record
   writes per customer (PATCH /v1/projects/{id} carrying `metadata`), requests per endpoint
   class, the rate limiter's own 429s (`/_emulator/stats` rateLimited), wall time.
3. The lower bound: the binding class is the one whose requests take longest at its rate
   (requests / rpm). Goal: wall time ≤ 1.15x of it, 0 refused. The emulator's buckets start
   full (one minute's worth), and a client that follows `X-RateLimit-Remaining` spends that
   starting allowance at once, so it can beat requests / rpm; the tighter bound, (requests −
   rpm) / rpm, is printed beside it.
   Also printed: reads per route, the time requests waited for the pacer (summed over
   concurrent requests) and the requests per class in each 30 s of the run.
4. Baseline, same run, fresh emulator: the record written after every step (as before issue
   19), everything else equal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.apply_fifty import KEY, workspace  # noqa: E402
from benchmarks.serve import emulator_process  # noqa: E402
from layers_reconcile.apply.context import CustomerContext  # noqa: E402
from layers_reconcile.apply.executor import execute  # noqa: E402
from layers_reconcile.apply.options import ApplyOptions  # noqa: E402
from layers_reconcile.apply.reserved import Keep  # noqa: E402
from layers_reconcile.client import LayersClient  # noqa: E402
from layers_reconcile.client.pacing import TIER_RPM, EndpointClass  # noqa: E402
from layers_reconcile.config.loader import load_workspace  # noqa: E402
from layers_reconcile.plan.ids import RESERVED_KEY  # noqa: E402

TIER = "standard"


@contextlib.contextmanager
def emulator(speed: float, db: Path) -> Iterator[str]:
    options = ["--db", str(db), "--speed", str(speed), "--auto-consent", "--api-key", KEY]
    with emulator_process(*options, "--rate-limit-tier", TIER) as (url, _proc):
        yield url


class _RecordWrites(httpx.AsyncBaseTransport):
    """Counts the PATCHes of a project that carry the reserved record, per project, and keeps
    a timeline: (seconds since the first request, endpoint class, route) of every request."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.per_project: dict[str, int] = {}
        self.timeline: list[tuple[float, str, str]] = []
        self._start: float | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "PATCH" and len(parts) == 3 and parts[1] == "projects":
            body = json.loads(request.content or b"{}")
            if RESERVED_KEY in (body.get("metadata") or {}):
                self.per_project[parts[2]] = self.per_project.get(parts[2], 0) + 1
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        route = _route_of(request.method, request.url.path)
        self.timeline.append((now - self._start, _class_of(route), route))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Run:
    wall: float
    converged: int
    record_writes: dict[str, int]
    by_class: dict[str, int]  # requests the emulator counted, per endpoint class
    refused: int  # the rate limiter's own 429s
    injected: int
    by_route: dict[str, int]  # reads per route template, as the emulator counted them
    timeline: list[tuple[float, str, str]]  # (seconds, endpoint class, route) of each request
    paced: float  # seconds requests waited for the client's own pacer, summed

    def bound(self) -> tuple[str, float]:
        """The binding class and the time its requests need at the tier's rate."""
        limits = TIER_RPM[TIER]
        need = {c: 60.0 * n / limits[EndpointClass(c)] for c, n in self.by_class.items()}
        binding = max(need, key=lambda c: need[c])
        return binding, need[binding]


def _route_of(method: str, path: str) -> str:
    """`GET /v1/jobs/{id}`: the path with its ids replaced (the emulator's route templates)."""
    words = ("v1", "projects", "jobs", "content", "social-accounts", "scheduled-posts")
    kept = [p if p in words or not any(c.isdigit() for c in p) else "{id}" for p in path.split("/")]
    return f"{method} {'/'.join(kept)}"


def _class_of(route: str) -> str:
    from layers_reconcile.client.pacing import endpoint_class

    method, path = route.split(" ", 1)
    return str(endpoint_class(method, path.replace("{", "x").replace("}", "x")))


def eager_records() -> None:
    """The baseline: every change to the record is written at once, as before issue 19."""
    update = CustomerContext.update_reserved

    async def at_once(self: CustomerContext, mutate: Any, keep: Keep = Keep.NOW) -> Any:
        return await update(self, mutate, Keep.NOW)

    CustomerContext.update_reserved = at_once  # type: ignore[method-assign]


async def apply_all(url: str, root: Path, speed: float) -> Run:
    ws = load_workspace(root)
    options = ApplyOptions(
        workspace=ws.settings.workspace,
        parallelism=ws.settings.parallelism or 8,
        wait_for_people=600,
        person_poll_interval=1.0,
        job_time_scale=speed,
    )
    counting = _RecordWrites()
    started = time.monotonic()
    async with LayersClient(url, KEY, transport=counting) as client:
        report = await execute(client, ws, options=options)
    wall = time.monotonic() - started
    async with httpx.AsyncClient(timeout=10) as admin:
        stats = (await admin.get(f"{url}/_emulator/stats")).json()
    by_class: dict[str, int] = {}
    for route, n in stats["routes"].items():
        by_class[_class_of(route)] = by_class.get(_class_of(route), 0) + n
    converged = sum(1 for o in report.outcomes if o.status.value == "converged")
    return Run(
        wall=wall,
        converged=converged,
        record_writes=counting.per_project,
        by_class=by_class,
        refused=stats["rateLimited"]["total"],
        injected=stats["faults"]["rate_limited_429"],
        by_route={r: n for r, n in stats["routes"].items() if r.startswith("GET ")},
        timeline=counting.timeline,
        paced=client.stats.paced_seconds,
    )


def show(name: str, run: Run, n: int) -> None:
    writes = sorted(run.record_writes.values())
    binding, bound = run.bound()
    classes = ", ".join(f"{c} {k}" for c, k in sorted(run.by_class.items()))
    print(f"{name}:")
    print(f"  converged {run.converged}/{n}; requests: {classes}")
    print(
        f"  record writes: {sum(writes)} ({sum(writes) / n:.2f} per customer, max {writes[-1]})"
        if writes
        else "  record writes: 0"
    )
    rpm = TIER_RPM[TIER][EndpointClass(binding)]
    full = max(1.0, (run.by_class[binding] - rpm) * 60.0 / rpm)
    print(
        f"  wall {run.wall:.1f} s; lower bound {bound:.1f} s ({binding} binds: "
        f"{run.by_class[binding]} requests at {rpm}/min) "
        f"-> {run.wall / bound:.2f}x; rate-limit refusals: {run.refused}"
    )
    print(f"  against a bucket that starts full ({rpm}): {full:.1f} s -> {run.wall / full:.2f}x")
    reads = sorted(run.by_route.items(), key=lambda item: -item[1])
    print("  reads: " + ", ".join(f"{r[4:]} {k}" for r, k in reads[:8]))
    print(f"  time requests waited for the pacer, summed: {run.paced:.0f} s")
    step = 30.0
    spans = int(run.wall // step) + 1
    rows = []
    for i in range(spans):
        picked = [c for t, c, _ in run.timeline if i * step <= t < (i + 1) * step]
        counts = {c: picked.count(c) for c in sorted(set(picked))}
        rows.append(f"{i * step:4.0f}s " + " ".join(f"{c[:5]} {k:3d}" for c, k in counts.items()))
    print("  requests per 30 s: " + " | ".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    n = args.customers
    tmp = Path(tempfile.mkdtemp(prefix="apply-standard-"))
    root = workspace(tmp / "ws", n)
    print(f"{n} new customers at the {TIER} tier, emulator --speed {args.speed:g}")
    with emulator(args.speed, tmp / "now.sqlite3") as url:
        now = asyncio.run(apply_all(url, root, args.speed))
    show("apply (record written when a fact must survive a crash)", now, n)
    if args.no_baseline:
        return
    eager_records()
    with emulator(args.speed, tmp / "baseline.sqlite3") as url:
        before = asyncio.run(apply_all(url, root, args.speed))
    show("baseline (record written after every step)", before, n)
    saved = sum(before.record_writes.values()) - sum(now.record_writes.values())
    print(f"record writes saved: {saved}; wall time {before.wall:.1f} s -> {now.wall:.1f} s")


if __name__ == "__main__":
    main()
