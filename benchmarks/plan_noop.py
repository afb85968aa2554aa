"""No-op `plan` of N converged customers against the emulator, next to a bare script.

    .venv/bin/python benchmarks/plan_noop.py [--customers 1000] [--parallelism 8] [--paced]
        [--api-revision a|b]
    .venv/bin/python benchmarks/plan_noop.py --children [--customers 100]

1. Serves the emulator in its own process (so it does not share the GIL with what is measured)
   and seeds N converged customers through the API (tests/plan/seed.py); `--db FILE` keeps them
   for the next run (`--reuse`).
2. Runs `layers-reconcile plan` on the matching workspace in a subprocess: wall time, peak RSS,
   requests per customer (from /_emulator/stats), and checks it plans no change.
3. Runs a bare concurrent httpx script (`bare_reads.py`, a process of its own like the plan)
   sending exactly the same reads (same concurrency: the same number of customers at once,
   each customer's lists side by side): the projects list once, then per customer the project
   and its four lists (on both revisions the project row shows the approval policy: Rev B's
   review policy needs no read of its own). Then the same script once more on the tool's own
   httpx transport (`client/network.py`): the plan over that is the tool's own work.

`--api-revision b` serves Rev B of the API and converges the customers with `apply` itself
(Rev B's content records are the tool's own); their content remixes a slideshow post (Rev B
has no `format: auto`). Issue 17's target: no more requests per customer than on Rev A.

`--latency-ms N` holds every answer N ms (a network's round trip); by default the emulator answers
at once, so both sides are bound by their own CPU and the ratio is the tool's own cost. (Until
2026-12 every answer stalled ~40 ms on Nagle's algorithm in the emulator, which hid that cost.)

The emulator reports the `partner` tier, and the client paces itself to it (6,000 reads/min),
so a 1,000-customer plan is bound by the tier, not by the tool. By default both sides run
unpaced to measure the tool's own overhead; `--paced` paces both to the tier instead.
Targets (PRODUCT.md §8): plan ≤ 1.25× the bare script, peak memory < 250 MB.

`--children` (issue 18) compares instead, on the Rev B emulator, a no-op plan of N customers in
child organizations (each with a monthly cap and two transfers carried out) with the same N
customers flat; both workspaces are converged first by `apply` itself. Target: at most one
request per customer more for the children.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.plan.seed import customer_yaml, seed_many  # noqa: E402

SERVE = """
import sys, time
from pathlib import Path
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings
db = Path(sys.argv[1]) if sys.argv[1] else None
revision = sys.argv[2] if len(sys.argv) > 2 else "a"
consent = len(sys.argv) > 3 and sys.argv[3] == "auto-consent"
latency = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
settings = EmulatorSettings(
    port=0, speed=1000, db=db, api_revision=revision, auto_consent=consent, latency_ms=latency
)
with EmulatorServer(settings) as server:
    print(server.url, server.api_key, flush=True)
    sys.stdin.read()
"""

# `plan` exactly as the console script runs it (`cli.main.main`: the command's modules imported
# lazily, with the collector paused, httpx's CLI skipped); unpaced unless asked (see the
# docstring): whoami is wrapped once the command has imported the client, not before (importing
# it first would run every import outside the console script's own way).
RUN_PLAN = """
import sys
from layers_reconcile.cli import main as cli_main
if sys.argv.pop(1) == "unpaced":
    imported = cli_main._imported
    def unpaced_import(name):
        module = imported(name)
        from layers_reconcile.client.core import ClientCore
        whoami = ClientCore.whoami
        if not getattr(whoami, "unpaced", False):
            async def unpaced(self):
                body = await whoami(self)
                self.pacer.configure(None)
                return body
            unpaced.unpaced = True
            ClientCore.whoami = unpaced
        return module
    cli_main._imported = unpaced_import
sys.argv[0] = "layers-reconcile"
cli_main.main()
"""


def run_bare(
    url: str, key: str, args: argparse.Namespace, *, tool_transport: bool
) -> tuple[float, float, int]:
    """`bare_reads.py` as a script of its own: wall and CPU seconds, requests the emulator saw."""
    httpx.post(url + "/_emulator/stats/reset")
    command = [sys.executable, str(ROOT / "benchmarks" / "bare_reads.py"), url, key]
    command += ["--customers", str(args.customers), "--parallelism", str(args.parallelism)]
    command += ["--paced"] if args.paced else []
    command += ["--tool-transport"] if tool_transport else []
    t = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    sent = int(proc.stdout.read().strip())
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    assert os.waitstatus_to_exitcode(status) == 0
    requests = sum(stats(url).values())
    assert sent == requests, (sent, requests)
    return seconds, usage.ru_utime + usage.ru_stime, requests


def stats(url: str) -> dict[str, int]:
    routes: dict[str, int] = httpx.get(url + "/_emulator/stats").json()["routes"]
    return routes


def customer_file(ext: str, revision: str) -> str:
    text = customer_yaml(ext)
    if revision == "b":  # Rev B has no `format: auto`: a remix of a slideshow post
        remix = '    format: slideshow_remix\n    source: {tiktokVideoId: "7312345678901234560"}\n'
        text = text.replace("  launch:\n", "  launch:\n" + remix)
    return text


@contextmanager
def seeded_emulator(
    db: Path | None,
    ids: list[str],
    *,
    reuse: bool,
    workspace: str = "bench",
    revision: str = "a",
    ws: Path | None = None,
    latency_ms: float = 0.0,
) -> Iterator[tuple[str, str]]:
    """The emulator in its own process (url, key), holding `ids` as converged customers (on
    Rev B, the workspace `ws` converged by `apply`)."""
    consent = "auto-consent" if revision == "b" else ""
    emulator = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(db or ""), revision, consent, str(latency_ms)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        url, key = emulator.stdout.readline().split()
        if not reuse:
            t = time.perf_counter()
            if revision == "b":
                seed = [sys.executable, "-c", RUN_PLAN, "unpaced", "--api-url", url]
                seed += ["--api-key", key, "--parallelism", "32", "apply", str(ws)]
                seed += ["--auto-approve", "--job-speed", "1000"]
                done = subprocess.run(seed, capture_output=True, text=True, check=False)
                assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
            else:
                asyncio.run(seed_many(url, key, ids, workspace=workspace, concurrency=64))
            print(f"seeded {len(ids)} converged customers in {time.perf_counter() - t:.1f} s")
        yield url, key
    finally:
        emulator.communicate("")


CHILD_BLOCK = """organization:
  metadata: {plan: pro}
  credits:
    monthlyCap: 5000
    transfers:
      - {id: initial, credits: 50}
      - {id: bonus, credits: 5}
"""


def _workspace(root: Path, ids: list[str], *, children: bool) -> Path:
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text(f"workspace: bench-{root.name}\n")  # not each other's
    for ext in ids:
        text = f"customerExternalId: {ext}\nproject:\n  name: Customer {ext}\n"
        (root / "customers" / f"{ext}.yaml").write_text(text + (CHILD_BLOCK if children else ""))
    return root


def children_main(args: argparse.Namespace) -> None:
    """No-op plan requests per customer: in child organizations vs flat (Rev B)."""
    n = args.customers
    work = Path(tempfile.mkdtemp(prefix="plan-noop-children-"))
    flat = _workspace(work / "flat", [f"flat-{i:05d}" for i in range(n)], children=False)
    kids = _workspace(work / "kids", [f"kid-{i:05d}" for i in range(n)], children=True)
    counts: dict[str, int] = {}
    for ws in (flat, kids):  # each on an emulator of its own: neither sees the other's
        emulator = subprocess.Popen(
            [sys.executable, "-c", SERVE, "", "b"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert emulator.stdout is not None
            url, key = emulator.stdout.readline().split()
            base = [sys.executable, "-c", RUN_PLAN, "unpaced", "--api-url", url, "--api-key", key]
            base += ["--parallelism", str(args.parallelism)]
            t = time.perf_counter()
            subprocess.run(
                [*base, "apply", str(ws), "--auto-approve"], check=True, stdout=subprocess.DEVNULL
            )
            print(f"converged {ws.name} ({n} customers) in {time.perf_counter() - t:.1f} s")
            httpx.post(url + "/_emulator/stats/reset")
            done = subprocess.run(
                [*base, "plan", str(ws), "--detailed-exitcode"], stdout=subprocess.DEVNULL
            )
            assert done.returncode == 0, f"{ws.name}: the plan is not a no-op ({done.returncode})"
            routes = stats(url)
            counts[ws.name] = sum(routes.values())
            listed = sorted(routes.items(), key=lambda rc: -rc[1])
            print(f"  {ws.name}: " + ", ".join(f"{r} ×{c}" for r, c in listed))
        finally:
            emulator.communicate("")
    more = (counts["kids"] - counts["flat"]) / n
    print(f"\nno-op plan of {n} customers on Rev B (parallelism {args.parallelism})")
    print(f"  flat:     {counts['flat']:>6} requests, {counts['flat'] / n:.2f} per customer")
    print(f"  children: {counts['kids']:>6} requests, {counts['kids'] / n:.2f} per customer")
    print(f"  children send {more:+.2f} requests per customer (target ≤ +1)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--paced", action="store_true", help="pace both sides to the partner tier")
    parser.add_argument("--db", type=Path, help="emulator state file (kept for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="the db already holds the customers")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median shown)")
    parser.add_argument(
        "--children",
        action="store_true",
        help="compare customers in child organizations with flat ones (Rev B; see above)",
    )
    parser.add_argument("--api-revision", choices=("a", "b"), default="a", help="the API served")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="hold every answer this long (a network's round trip; 0: the tool's own cost)",
    )
    args = parser.parse_args()
    if args.children:
        children_main(args)
        return
    ids = [f"bench-{i:05d}" for i in range(args.customers)]
    work = Path(tempfile.mkdtemp(prefix="plan-noop-"))
    ws = work / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: bench\n")
    for ext in ids:
        (ws / "customers" / f"{ext}.yaml").write_text(customer_file(ext, args.api_revision))
    revision = args.api_revision
    latency = args.latency_ms
    with seeded_emulator(
        args.db, ids, reuse=args.reuse, revision=revision, ws=ws, latency_ms=latency
    ) as (url, key):
        mode = "paced" if args.paced else "unpaced"
        out = work / "plan.json"
        command = [sys.executable, "-c", RUN_PLAN, mode, "--api-url", url, "--api-key", key]
        command += ["--parallelism", str(args.parallelism), "plan", str(ws), "--out", str(out)]
        command += ["--format", "json", "--detailed-exitcode"]
        runs: list[tuple[float, ...]] = []
        for _ in range(args.repeat):
            httpx.post(url + "/_emulator/stats/reset")
            t = time.perf_counter()
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            plan_seconds = time.perf_counter() - t
            code = os.waitstatus_to_exitcode(status)
            plan_requests = sum(stats(url).values())
            summary = json.loads(out.read_text())["summary"]
            peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
            plan_cpu = usage.ru_utime + usage.ru_stime

            bare_seconds, bare_cpu, bare_requests = run_bare(url, key, args, tool_transport=False)
            tuned_seconds, tuned_cpu, _ = run_bare(url, key, args, tool_transport=True)
            ratio = plan_seconds / bare_seconds
            runs.append(
                (plan_seconds, bare_seconds, ratio, peak_mb, plan_cpu, bare_cpu, tuned_seconds)
            )
            print(
                f"  run: plan {plan_seconds:.2f} s (cpu {plan_cpu:.2f} s), "
                f"bare {bare_seconds:.2f} s (cpu {bare_cpu:.2f} s), {ratio:.2f}×; "
                f"bare on the tool's transport {tuned_seconds:.2f} s (cpu {tuned_cpu:.2f} s)",
                flush=True,
            )

    n = len(ids)
    plan_seconds, bare_seconds, ratio, peak_mb, plan_cpu, bare_cpu, tuned_seconds = (
        statistics.median(r[i] for r in runs) for i in range(7)
    )
    print(
        f"\nno-op plan of {n} customers on Rev {revision.upper()} ({mode}, parallelism "
        f"{args.parallelism}, latency {latency:g} ms, median of {len(runs)})"
    )
    print(f"  plan exit code {code} (0 = no changes), summary.changes = {summary['changes']}")
    print(f"  {'':18}{'plan':>12}{'bare script':>14}")
    print(f"  {'requests':18}{plan_requests:>12}{bare_requests:>14}")
    print(f"  {'per customer':18}{plan_requests / n:>12.2f}{bare_requests / n:>14.2f}")
    print(f"  {'wall time (s)':18}{plan_seconds:>12.2f}{bare_seconds:>14.2f}")
    print(f"  {'cpu time (s)':18}{plan_cpu:>12.2f}{bare_cpu:>14.2f}")
    print(f"  ratio plan / bare: {ratio:.2f}× (target ≤ 1.25×)")
    # On a shared machine the wall times follow the load; the CPU each side spent does less so.
    print(f"  cpu ratio plan / bare: {plan_cpu / bare_cpu:.2f}× (load {os.getloadavg()[0]:.1f})")
    print(f"  peak memory of plan: {peak_mb:.0f} MB (target < 250 MB)")
    # The tool's HTTP layer is cheaper than httpx's default (`client/network.py`): against the
    # bare script on that same transport, what is left is the tool's own work.
    print(
        f"  the bare script on the tool's transport: {tuned_seconds:.2f} s; "
        f"plan / that: {plan_seconds / tuned_seconds:.2f}× (the tool's own work)"
    )


if __name__ == "__main__":
    main()
