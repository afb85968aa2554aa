"""Apply N new customers against the emulator; compare with the slowest one alone and with the
guide followed step by step, customer after customer. Prints figures; run by hand:

    .venv/bin/python benchmarks/apply_fifty.py [--customers 50] [--speed 60] [--parallelism 8]
                                               [--baseline-customers N]

1. N customer files like the guide's Quinn's Coffee (each its own repo of the quinns-coffee org,
   an influencer created from attributes, a TikTok consent, one piece of content approved and
   scheduled) in a fresh workspace; the emulator in its own process with `--auto-consent`, jobs
   `--speed` times faster than documented.
2. `apply` of all N at once (the executor in this process, as the CLI runs it): wall time, the
   customers' own times, requests, and polls per job.
3. The customer that took longest, applied alone on a fresh emulator.
4. A script that follows the guide step by step (same client, same job polling), customer after
   customer, on a fresh emulator (`--baseline-customers` limits it; its time is then scaled up).

Pacing: `--speed` compresses job time 60x (say) but not the client's pacing to the key's tier
(the emulator reports `partner`: 300 job starts a minute), which then dominates: 150 job starts
need half a minute of wall time however fast the jobs are. So by default the client runs
unpaced, which is what the tier allows at real job durations (one job start per customer every
few minutes); `--paced` keeps the pacing in wall-clock time to show that effect.

Targets (PRODUCT.md §8): N customers within 1.3x of the slowest single customer; ≤ 8 polls per
job on average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.serve import emulator_process  # noqa: E402
from layers_reconcile.apply.events import ApplyReport, JobProgress  # noqa: E402
from layers_reconcile.apply.executor import execute  # noqa: E402
from layers_reconcile.apply.options import ApplyOptions  # noqa: E402
from layers_reconcile.client import LayersClient  # noqa: E402
from layers_reconcile.config.loader import load_workspace  # noqa: E402
from layers_reconcile.records import Whoami  # noqa: E402

# Its secret part shares no run of 8 characters with a field name: the client redacts any such
# run of the key from every answer, so a key holding "customers" would mangle customerExternalId.
KEY = "lp_test_benchmark_Zq7Xw3Kp9Rt2Vm8Ny4Lb6Hd1Jf5Gs0Qc"
CUSTOMER = """\
customerExternalId: {ext}
project:
  name: Cafe number {i}
  timezone: America/Los_Angeles
  metadata: {{tier: gold}}
approval:
  requiresApproval: true
  firstNPostsBlocked: 3
github:
  installationId: 48271993
  repo: quinns-coffee/cafe-{i}
  branch: main
  platforms: [ios, web]
brand:
  tagline: Cafe {i}, skip the line.
influencer:
  name: Host of cafe {i}
  gender: female
  ageRange: 25-34
social:
  tiktok:
    returnUrl: https://app.your-partner.com/customers/{ext}/social-complete
content:
  launch-hook:
    brief:
      hook: Cafe {i}, skip the line.
      cta: Download the app
      targetPlatforms: [tiktok]
    approve: true
    schedule:
      - account: tiktok
        mode: direct_publish
        at: 2027-03-01T22:00:00Z
"""


@dataclass
class Emulator:
    url: str
    proc: subprocess.Popen[bytes]

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.url}/_emulator/stats", timeout=10).json()
        return body


@contextlib.contextmanager
def emulator(speed: float, db: Path) -> Iterator[Emulator]:
    options = ["--db", str(db), "--speed", str(speed), "--auto-consent", "--api-key", KEY]
    with emulator_process(*options) as (url, proc):
        yield Emulator(url, proc)


def workspace(root: Path, n: int) -> Path:
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text("workspace: benchmark\nparallelism: 8\n")
    for i in range(1, n + 1):
        ext = f"cafe-{i:03d}"
        (root / "customers" / f"{ext}.yaml").write_text(CUSTOMER.format(ext=ext, i=i))
    return root


@dataclass
class Run:
    report: ApplyReport
    wall: float
    polls: int
    jobs: int
    paced: float  # seconds requests waited for the rate limit of the key's tier
    job_time: dict[str, float]  # customer -> seconds its jobs ran, stage after stage


def unpaced() -> None:
    """Stop the client pacing itself to the tier (see the docstring)."""
    from layers_reconcile.client.core import ClientCore

    whoami = ClientCore.whoami

    async def whoami_unpaced(self: ClientCore) -> Whoami:
        body = await whoami(self)
        self.pacer.configure(None)
        return body

    ClientCore.whoami = whoami_unpaced  # type: ignore[method-assign]


async def apply_all(
    url: str, root: Path, speed: float, parallelism: int, only: tuple[str, ...] = ()
) -> Run:
    ws = load_workspace(root)
    seen: dict[tuple[str, str], set[str]] = {}

    def on_event(event: Any) -> None:
        if isinstance(event, JobProgress):
            stage = event.address.split("/")[1]  # ingest | influencer | content
            seen.setdefault((event.customer, stage), set()).add(event.job_id)

    options = ApplyOptions(
        workspace=ws.settings.workspace,
        parallelism=parallelism,
        wait_for_people=120,
        person_poll_interval=0.25,
        job_time_scale=speed,
    )
    started = time.monotonic()
    async with LayersClient(url, KEY) as client:
        report = await execute(client, ws, options=options, customers=only, on_event=on_event)
        wall = time.monotonic() - started
        job_time: dict[str, float] = {}
        for (customer, _stage), job_ids in seen.items():
            spans = [await job_span(client, j) for j in job_ids]
            job_time[customer] = job_time.get(customer, 0.0) + max(spans)  # side by side
    stats = client.stats
    return Run(report, wall, stats.polls, stats.jobs_waited, stats.paced_seconds, job_time)


async def job_span(client: LayersClient, job_id: str) -> float:
    """How long the job ran, by the emulator's own clock."""
    job = (await client.request("GET", f"/v1/jobs/{job_id}")).json
    start = datetime.fromisoformat(job["startedAt"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(job["finishedAt"].replace("Z", "+00:00"))
    return (end - start).total_seconds()


# --- the guide, step by step, customer after customer -------------------------------------


async def guide_one(client: LayersClient, i: int, speed: float) -> None:
    ext = f"cafe-{i:03d}"

    def key() -> str:
        return str(uuid.uuid4())

    project = await client.create_project(
        {
            "name": f"Cafe number {i}",
            "customerExternalId": ext,
            "timezone": "America/Los_Angeles",
            "metadata": {"tier": "gold"},
        },
        key(),
    )
    pid = project.id
    await client.patch_approval_policy(pid, {"requiresApproval": True, "firstNPostsBlocked": 3})
    issued = await client.install_url("https://app.your-partner.com/github/callback")
    await client.register_installation(48271993, issued.state or "")
    body = {
        "repoFullName": f"quinns-coffee/cafe-{i}",
        "branch": "main",
        "sdkConfig": {"includePlatforms": ["ios", "web"]},
    }
    job = await client.ingest_github(pid, body, key())
    await client.wait_for_job(job.job_id, expected_seconds=330 / speed)
    await client.get_project(pid)
    await client.patch_project(pid, {"brandContext": {"tagline": f"Cafe {i}, skip the line."}})
    made = await client.create_influencer(
        pid, {"name": f"Host of cafe {i}", "gender": "female", "ageRange": "25-34"}, key()
    )
    await client.wait_for_job(made.job_id, expected_seconds=60 / speed)
    influencer = made.influencer_id
    consent = await client.oauth_url(
        pid, "tiktok", f"https://app.your-partner.com/customers/{ext}/social-complete"
    )
    account = None
    while account is None:
        status = await client.oauth_status(pid, consent.state or "")
        account = status.social_account_id if status.status == "completed" else None
        if account is None:
            await asyncio.sleep(0.25)
    brief = {
        "hook": f"Cafe {i}, skip the line.",
        "cta": "Download the app",
        "targetPlatforms": ["tiktok"],
        "influencerId": influencer,
    }
    content = await client.generate_content(
        pid, {"format": "auto", "variantCount": 1, "brief": brief}, key()
    )
    await client.wait_for_job(content.job_id, expected_seconds=135 / speed)
    (container,) = content.container_ids
    await client.get_content(container)
    await client.approve_content(container, "Matches brief")
    await client.schedule(
        container,
        {
            "targets": [{"socialAccountId": account, "mode": "direct_publish"}],
            "scheduledFor": "2027-03-01T22:00:00Z",
        },
        key(),
    )


async def guide_all(url: str, n: int, speed: float) -> tuple[float, LayersClient]:
    started = time.monotonic()
    async with LayersClient(url, KEY) as client:
        await client.whoami()
        for i in range(1, n + 1):
            await guide_one(client, i, speed)
    return time.monotonic() - started, client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--baseline-customers", type=int, default=None)
    parser.add_argument("--paced", action="store_true", help="pace to the tier in wall time")
    args = parser.parse_args()
    if not args.paced:
        unpaced()
    n, speed = args.customers, args.speed
    tmp = Path(tempfile.mkdtemp(prefix="apply-fifty-"))
    root = workspace(tmp / "ws", n)
    print(
        f"{n} new customers, emulator --speed {speed:g}, parallelism {args.parallelism}, "
        + ("paced to the tier" if args.paced else "unpaced")
    )

    with emulator(speed, tmp / "all.sqlite3") as emu:
        batch = asyncio.run(apply_all(emu.url, root, speed, args.parallelism))
        requests = emu.stats()["total"]
    outcomes = batch.report.outcomes
    failed = [o.customer for o in outcomes if o.status.value != "converged"]
    times = sorted(o.elapsed for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.elapsed)
    print(
        f"apply, {n} at once:             {batch.wall:7.1f} s  ({requests} requests, "
        f"{requests / n:.0f} per customer; {batch.paced:.1f} s paced to the tier)"
    )
    print(
        f"  per customer: median {statistics.median(times):.1f} s, "
        f"max {times[-1]:.1f} s ({slowest.customer})"
        + (f"; NOT converged: {', '.join(failed)}" if failed else "")
    )
    print(
        f"  polls per job: {batch.polls / max(batch.jobs, 1):.2f} ({batch.polls} polls, {batch.jobs} jobs)"
    )

    # The emulator draws each job's duration at random within the documented range, so the
    # slowest customer is the one whose jobs drew the longest: its job time, plus what one
    # customer alone spends besides its jobs (requests, polling latency), measured here.
    with emulator(speed, tmp / "one.sqlite3") as emu:
        alone = asyncio.run(apply_all(emu.url, root, speed, args.parallelism, (slowest.customer,)))
    overhead = alone.wall - alone.job_time.get(slowest.customer, 0.0)
    longest = max(batch.job_time.values(), default=0.0)
    single = longest + overhead
    print(
        f"one customer alone:             {alone.wall:7.1f} s  (its jobs {alone.wall - overhead:.1f} s, the rest {overhead:.1f} s)"
    )
    print(
        f"slowest single customer:        {single:7.1f} s  (longest jobs drawn in the batch "
        f"{longest:.1f} s + {overhead:.1f} s) -> {n} at once = {batch.wall / single:.2f}x"
    )

    m = min(args.baseline_customers or n, n)
    with emulator(speed, tmp / "guide.sqlite3") as emu:
        guide, guide_client = asyncio.run(guide_all(emu.url, m, speed))
    scaled = guide * n / m
    note = "" if m == n else f" (measured on {m}, scaled to {n})"
    print(
        f"guide, customer after customer: {scaled:7.1f} s{note} -> apply is {scaled / batch.wall:.1f}x faster"
    )
    g_polls, g_jobs = guide_client.stats.polls, guide_client.stats.jobs_waited
    print(f"  guide polls per job: {g_polls / max(g_jobs, 1):.2f}")


if __name__ == "__main__":
    main()
