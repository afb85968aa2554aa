"""`layers-reconcile emulator` in a process of its own, for the benchmarks that measure a real
client against a real server (the emulator must not share the measured process's GIL)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def emulator_process(*options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The emulator with `options` on a free loopback port: its URL (once `/_emulator/stats`
    answers) and its process; terminated on the way out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [sys.executable, "-m", "layers_reconcile", "emulator", "--port", str(port), *options]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{url}/_emulator/stats", timeout=1)
                break
            time.sleep(0.05)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(10)
