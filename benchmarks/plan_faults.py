"""Plan N converged customers while the emulator fails 30 % of requests; how many are planned.

    .venv/bin/python benchmarks/plan_faults.py [--customers 100] [--fault-rate 0.3] [--seeds 1-20]

In this process against the emulator's ASGI app on a manual clock (tests/apply/inprocess.py):
the customers are seeded through the API, then faults are drawn with each seed in turn (500,
503, 429, lost responses, dropped connections) and the whole workspace is planned. Before issue
19 one read that used up its attempts ended the plan for every customer; now it leaves only its
customer not planned. Target: ≥ 99 % planned under every seed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

import stamina

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers_reconcile.emulator.faults import Faults  # noqa: E402
from layers_reconcile.errors import ApiError  # noqa: E402
from tests.apply.inprocess import in_process  # noqa: E402
from tests.plan.test_fault_isolation import _plan, _seed, _workspace  # noqa: E402


def seeds_of(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


async def run(n: int, rate: float, seeds: list[int]) -> None:
    ids = [f"cafe-{i:03d}" for i in range(n)]
    root = _workspace(Path(tempfile.mkdtemp(prefix="plan-faults-")), ids)
    worst = 1.0
    ended = 0
    async with in_process(speed=1000) as ip:
        await _seed(ip, ids)
        emulator = ip.transport.app.state.emulator  # type: ignore[attr-defined]
        for seed in seeds:
            emulator.faults = Faults(rate, seed)
            try:
                plan = await _plan(ip, root)
            except ApiError as exc:  # a read every customer shares (whoami, the list)
                ended += 1
                print(f"seed {seed:3d}: the command ended on a shared read: {exc}")
                continue
            planned = n - plan.summary.not_planned
            worst = min(worst, planned / n)
            faults = sum(emulator.faults.counts.values())
            print(f"seed {seed:3d}: {planned}/{n} planned ({faults} faults injected)")
    print(
        f"worst: {worst:.0%} of {n} customers planned over {len(seeds)} seeds at fault rate "
        f"{rate:g}; {ended} plan(s) ended on a read every customer shares"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--seeds", default="1-20")
    args = parser.parse_args()
    logging.getLogger("stamina").setLevel(logging.ERROR)  # one line per retry otherwise
    # stamina's backoff sleeps on the event loop, not the manual clock: skip the waits only.
    with stamina.set_testing(True, attempts=100, cap=True):
        asyncio.run(run(args.customers, args.fault_rate, seeds_of(args.seeds)))


if __name__ == "__main__":
    main()
