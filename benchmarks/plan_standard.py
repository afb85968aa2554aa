"""A no-op `plan` of N converged customers at the `standard` rate-limit tier (120 reads a minute):
wall time against the time its reads need at the tier's rate. Prints figures; run by hand:

    .venv/bin/python benchmarks/plan_standard.py [--customers 30]

1. N converged customers seeded through the API (tests/plan/seed.py) into an emulator state
   file, with no rate limit.
2. The emulator again on that file, in its own process, with `--rate-limit-tier standard`: its
   buckets start full, as a key that has not been used for a minute.
3. `layers-reconcile plan --detailed-exitcode` of the matching workspace as its own process:
   wall time, reads (from /_emulator/stats), the rate limiter's own 429s, and the exit code (0:
   no changes).

The reads need (reads − 120) / 2 s at best against a server whose bucket of 120 starts full;
pacing to a burst of its own (12) and 90 % of the rate needed (reads − 12) / 1.8 s.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plan_noop import seeded_emulator  # noqa: E402
from benchmarks.serve import emulator_process  # noqa: E402
from tests.plan.seed import customer_yaml  # noqa: E402

TIER = "standard"
READ_RPM = 120


@contextlib.contextmanager
def tiered_emulator(db: Path, key: str) -> Iterator[str]:
    """`layers-reconcile emulator` on the seeded state, enforcing the tier's limits."""
    options = ["--db", str(db), "--api-key", key, "--rate-limit-tier", TIER, "--speed", "1000"]
    with emulator_process(*options) as (url, _proc):
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=30)
    args = parser.parse_args()
    ids = [f"bench-{i:05d}" for i in range(args.customers)]
    work = Path(tempfile.mkdtemp(prefix="plan-standard-"))
    ws = work / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: bench\n")
    for ext in ids:
        (ws / "customers" / f"{ext}.yaml").write_text(customer_yaml(ext))
    db = work / "state.sqlite3"
    with seeded_emulator(db, ids, reuse=False) as (_url, key):
        pass
    with tiered_emulator(db, key) as url:
        command = [sys.executable, "-m", "layers_reconcile", "--api-url", url, "--api-key", key]
        command += ["plan", str(ws), "--detailed-exitcode"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        stats = httpx.get(url + "/_emulator/stats").json()
    reads = sum(n for route, n in stats["routes"].items() if route.startswith("GET "))
    print(f"no-op plan of {args.customers} converged customers at the {TIER} tier")
    print(f"  exit code {done.returncode} (0: no changes); reads {reads}")
    print(f"  rate-limit refusals: {stats['rateLimited']['total']}")
    best = max(0.0, (reads - READ_RPM) * 60 / READ_RPM)
    print(f"  wall {wall:.1f} s; the reads need {best:.1f} s against a full bucket of {READ_RPM}")
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])


if __name__ == "__main__":
    main()
