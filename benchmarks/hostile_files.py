"""Time and peak memory of `validate` on hostile workspace files (issue 10).

    .venv/bin/python benchmarks/hostile_files.py [--python PATH] [--timeout 20] [--memory-mb 4000]

Cases: a 389-byte alias bomb (9^9 strings), `customers/zero.yaml -> /dev/zero`, a FIFO named `*.yaml`, a
50 MB customer file. Each runs `python -m layers_reconcile validate` in a subprocess (peak RSS sampled
from /proc/PID/status VmHWM), with a hard timeout and an address-space limit so that a build without the
caps cannot hurt the machine. `--python` picks the interpreter (e.g. another checkout's .venv).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

VALID = "customerExternalId: cust-1\nproject:\n  name: One\n"


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "customerExternalId: bomb\nproject:\n  name: Bomb\n" + "\n".join(lines) + "\n"


def case_alias_bomb(customers: Path) -> None:
    (customers / "bomb.yaml").write_text(alias_bomb())


def case_dev_zero(customers: Path) -> None:
    (customers / "zero.yaml").symlink_to("/dev/zero")


def case_fifo(customers: Path) -> None:
    os.mkfifo(customers / "pipe.yaml")


def case_big_file(customers: Path) -> None:
    filler = "  - " + "x" * 95 + "\n"
    with (customers / "big.yaml").open("w") as out:
        out.write(VALID + "notes:\n")
        out.write(filler * (50 * 1024 * 1024 // len(filler)))


CASES: dict[str, Callable[[Path], None]] = {
    f"alias bomb ({len(alias_bomb())} B)": case_alias_bomb,
    "symlink to /dev/zero": case_dev_zero,
    "FIFO named *.yaml": case_fifo,
    "50 MB file": case_big_file,
}


def measure(python: str, workspace: Path, timeout: float, memory_mb: int) -> str:
    """Run validate; sample its peak RSS (VmHWM) until it ends or is killed at `timeout`."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)

    started = time.monotonic()
    with subprocess.Popen(
        [python, "-m", "layers_reconcile", "validate", str(workspace)],
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    ) as child:
        peak_kb = 0
        killed = False
        while child.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm(child.pid))
            if time.monotonic() - started > timeout:
                child.kill()
                killed = True
                break
            time.sleep(0.02)
        out, err = child.communicate()
    wall = time.monotonic() - started
    text = (err or out).strip().splitlines()
    last = text[-1] if text else ""
    status = "killed at timeout" if killed else str(child.returncode)
    return f"exit {status:>17}  {wall:6.1f} s  peak {peak_kb / 1024:6.0f} MB  | {last[:110]}"


def _vm_hwm(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory-mb", type=int, default=4000)
    parser.add_argument("--only", default=None, help="run only cases whose name contains this")
    args = parser.parse_args()
    for name, make in CASES.items():
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory() as folder:
            workspace = Path(folder)
            (workspace / "layers.yaml").write_text("workspace: hostile\n")
            customers = workspace / "customers"
            customers.mkdir()
            (customers / "ok.yaml").write_text(VALID)
            make(customers)
            print(f"{name:<22} {measure(args.python, workspace, args.timeout, args.memory_mb)}")


if __name__ == "__main__":
    main()
