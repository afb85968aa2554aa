"""`import` of N projects against the emulator: the sequential baseline next to concurrent reads.

    .venv/bin/python benchmarks/import_many.py [--customers 1000] [--parallelism 8]
        [--latency-ms 40] [--unpaced] [--repeat 1]

1. Serves the emulator in its own process and seeds N converged customers through the API
   (`plan_noop.seeded_emulator`, `tests/plan/seed.py`): each project has an influencer, a
   connected TikTok account, one generated and approved container and a scheduled post, so
   import reads the project, its influencers, its social accounts, its scheduled posts and its
   container (5 requests a customer, after the projects list and the installations).
2. Runs `layers-reconcile import` into an empty folder in a subprocess, as the console script
   runs it, twice per repeat: `--parallelism 1` (one project after another: what import did
   before it read concurrently) and `--parallelism P`. Wall time, CPU time, peak RSS and the
   requests the emulator saw, for each; and checks both wrote the same files, byte for byte.

By default the client paces itself to the rate tier the emulator reports (`partner`: 6,000
reads a minute), as a user's import does: with no latency the tier is what bounds a large
import, concurrent or not. `--unpaced` lifts the pacing (the tool's own cost). `--latency-ms N`
holds every answer N ms (a network's round trip): that is what the sequential reads paid N
times per request, and what the concurrent ones overlap.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plan_noop import RUN_PLAN, seeded_emulator, stats  # noqa: E402


def run_import(
    url: str, key: str, into: Path, parallelism: int, *, paced: bool
) -> tuple[float, float, float, int]:
    """`layers-reconcile import INTO` in a process of its own: wall and CPU seconds, peak MB,
    requests the emulator saw."""
    if into.exists():
        shutil.rmtree(into)
    httpx.post(url + "/_emulator/stats/reset")
    command = [sys.executable, "-c", RUN_PLAN, "paced" if paced else "unpaced"]
    command += ["--api-url", url, "--api-key", key, "--parallelism", str(parallelism)]
    command += ["import", str(into)]
    t = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    assert os.waitstatus_to_exitcode(status) == 0, err[-2000:]
    requests = sum(stats(url).values())
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, requests


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in (a / "customers").iterdir())
    if names != sorted(p.name for p in (b / "customers").iterdir()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(a / "customers", b / "customers", names, shallow=False)
    return not mismatch and not errors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="hold every answer this long")
    parser.add_argument("--unpaced", action="store_true", help="lift the client's tier pacing")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (median shown)")
    parser.add_argument("--db", type=Path, help="emulator state file (kept for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="the db already holds the customers")
    args = parser.parse_args()
    ids = [f"bench-{i:05d}" for i in range(args.customers)]
    work = Path(tempfile.mkdtemp(prefix="import-many-"))
    paced = not args.unpaced
    sides = {"sequential": 1, "concurrent": args.parallelism}
    runs: dict[str, list[tuple[float, float, float, int]]] = {side: [] for side in sides}
    try:
        with seeded_emulator(args.db, ids, reuse=args.reuse, latency_ms=args.latency_ms) as (
            url,
            key,
        ):
            for _ in range(args.repeat):
                for side, parallelism in sides.items():
                    done = run_import(url, key, work / side, parallelism, paced=paced)
                    runs[side].append(done)
                    print(
                        f"  {side} (--parallelism {parallelism}): {done[0]:.2f} s "
                        f"(cpu {done[1]:.2f} s), {done[2]:.0f} MB, {done[3]} requests",
                        flush=True,
                    )
        identical = same_files(work / "sequential", work / "concurrent")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(ids)
    median = {
        side: tuple(statistics.median(r[i] for r in done) for i in range(4))
        for side, done in runs.items()
    }
    seq, con = median["sequential"], median["concurrent"]
    print(
        f"\nimport of {n} projects ({'paced to the partner tier' if paced else 'unpaced'}, "
        f"latency {args.latency_ms:g} ms, median of {args.repeat}, load "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(f"  {'':18}{'sequential':>12}{'concurrent':>12}")
    print(f"  {'parallelism':18}{1:>12}{args.parallelism:>12}")
    print(f"  {'wall time (s)':18}{seq[0]:>12.2f}{con[0]:>12.2f}")
    print(f"  {'cpu time (s)':18}{seq[1]:>12.2f}{con[1]:>12.2f}")
    print(f"  {'cpu / wall':18}{seq[1] / seq[0]:>12.0%}{con[1] / con[0]:>12.0%}")
    print(f"  {'peak memory (MB)':18}{seq[2]:>12.0f}{con[2]:>12.0f}")
    print(f"  {'requests':18}{seq[3]:>12.0f}{con[3]:>12.0f}")
    print(f"  concurrent / sequential wall time: {con[0] / seq[0]:.2f}×")
    print(f"  the same files, byte for byte: {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
