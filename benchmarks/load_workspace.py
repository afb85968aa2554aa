"""CPU of loading a workspace of N customer files, the part of `plan` before its first request.

    .venv/bin/python benchmarks/load_workspace.py [--customers 1000] [--repeat 7]
        [--against /path/to/other/checkout]

Writes `layers.yaml` and N customer files like `plan_noop.py`'s (Rev A) into a temporary folder,
loads it once to warm up, then times `load_workspace` `--repeat` times with
`time.process_time()` (CPU, not wall: the machine may be shared; the workspace loaded is kept
while timed, as `plan` keeps it) and prints the median, the spread and the cost per file. `--against DIR` measures the same workspace, right after, with the
code of another checkout (e.g. `git worktree add --detach /tmp/main main`) in a subprocess, and
prints the ratio: the baseline is measured in the same run, never read from a file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run by `--against` under the other checkout (its folder first on sys.path): prints the runs.
MEASURE = """
import json, sys, time
from pathlib import Path
from layers_reconcile.config.loader import load_workspace
ws, repeat = Path(sys.argv[1]), int(sys.argv[2])
load_workspace(ws)
runs = []
for _ in range(repeat):
    started = time.process_time()
    loaded = load_workspace(ws)  # kept while timed, as plan keeps it: freeing it is not counted
    runs.append(time.process_time() - started)
    del loaded
print(json.dumps(runs))
"""


def write_workspace(root: Path, customers: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.plan.seed import customer_yaml

    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text("workspace: bench\n")
    for i in range(customers):
        ext = f"bench-{i:05d}"
        (root / "customers" / f"{ext}.yaml").write_text(customer_yaml(ext))
    return root


def measure(code: Path, ws: Path, repeat: int) -> list[float]:
    """Runs of `load_workspace(ws)` (CPU seconds) with the code of the checkout at `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ws), str(repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=code,
    ).stdout
    runs: list[float] = json.loads(out)
    return runs


def describe(label: str, runs: list[float], customers: int) -> str:
    median = statistics.median(runs)
    return (
        f"{label:<10} median {median:.3f} s CPU ({median / customers * 1e6:.0f} µs per file), "
        f"min {min(runs):.3f}, max {max(runs):.3f}, {len(runs)} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (median shown)")
    parser.add_argument("--against", type=Path, help="another checkout to measure after this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-ws-") as folder:
        ws = write_workspace(Path(folder) / "ws", args.customers)
        print(f"workspace: {args.customers} customer files, load_workspace timed with process_time")
        mine = measure(ROOT, ws, args.repeat)
        print(describe("this", mine, args.customers))
        if args.against is not None:
            theirs = measure(args.against.resolve(), ws, args.repeat)
            print(describe("against", theirs, args.customers))
            ratio = statistics.median(mine) / statistics.median(theirs)
            print(f"this / against: {ratio:.2f}×")


if __name__ == "__main__":
    main()
