"""A one-file pull request in a large workspace: `plan --changed-since` next to a full plan.

    .venv/bin/python benchmarks/plan_changed.py [--customers 1000] [--db FILE --reuse]

1. Serves the emulator in its own process and seeds N converged customers through the API
   (tests/plan/seed.py); `--db FILE` keeps them for the next run (`--reuse`).
2. Writes the matching workspace into a fresh git repository, commits it, then commits a change
   to one customer file (the pull request).
3. Runs `layers-reconcile plan --changed-since <base>` and a full `plan`, both unpaced, and
   counts the requests each sent (from /_emulator/stats).
4. Prints what each count means at the `standard` tier (120 reads/min; the client paces reads
   to it), where the request count, not the tool, sets the time.

Goal (issue 9): the one-file plan sends ≤ 10 requests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plan_noop import RUN_PLAN, seeded_emulator, stats  # noqa: E402
from tests.plan.seed import customer_yaml  # noqa: E402

STANDARD_READS_PER_MINUTE = 120


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def minutes(reads: int) -> str:
    value = reads / STANDARD_READS_PER_MINUTE
    return f"{value * 60:.0f} s" if value < 1 else f"{value:.1f} min"


def plan(
    url: str, key: str, ws: Path, out: Path, *extra: str
) -> tuple[int, float, dict[str, object]]:
    httpx.post(url + "/_emulator/stats/reset")
    command = [sys.executable, "-c", RUN_PLAN, "unpaced", "--api-url", url, "--api-key", key]
    command += ["plan", str(ws), "--out", str(out), "--format", "json", *extra]
    t = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t
    if done.returncode not in (0, 2):
        raise SystemExit(f"plan failed ({done.returncode}): {done.stderr}")
    doc: dict[str, object] = json.loads(out.read_text())
    return sum(stats(url).values()), seconds, doc


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--db", type=Path, help="emulator state file (kept for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="the db already holds the customers")
    args = parser.parse_args()
    ids = [f"bench-{i:05d}" for i in range(args.customers)]
    work = Path(tempfile.mkdtemp(prefix="plan-changed-"))
    ws = work / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: bench\n")
    for ext in ids:
        (ws / "customers" / f"{ext}.yaml").write_text(customer_yaml(ext))
    git(ws, "init", "-q", "-b", "main")
    git(ws, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "add", ".")
    git(ws, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "base")
    base = git(ws, "rev-parse", "HEAD")
    changed = ids[len(ids) // 2]
    (ws / "customers" / f"{changed}.yaml").write_text(customer_yaml(changed, tagline="New line."))
    git(ws, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qam", "pr")

    with seeded_emulator(args.db, ids, reuse=args.reuse) as (url, key):
        small, small_s, small_doc = plan(url, key, ws, work / "small.json", "--changed-since", base)
        full, full_s, _ = plan(url, key, ws, work / "full.json")

    small_customers = small_doc["customers"]
    assert isinstance(small_customers, list)
    assert [c["customerExternalId"] for c in small_customers] == [changed], small_customers
    print(f"\na one-file pull request in a workspace of {len(ids)} customers")
    print(f"  {'':26}{'requests':>10}{'at 120 reads/min':>18}{'here, unpaced':>15}")
    print(f"  {'plan --changed-since':26}{small:>10}{minutes(small):>18}{small_s:>13.1f} s")
    print(f"  {'full plan':26}{full:>10}{minutes(full):>18}{full_s:>13.1f} s")
    print(f"  skipped by --changed-since: {small_doc.get('skippedCustomers')} customers")
    print(f"  goal: ≤ 10 requests for the one-file plan: {'met' if small <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
