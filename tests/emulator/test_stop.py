"""`layers-reconcile emulator` stops quietly on Ctrl-C or SIGTERM while requests are in flight:
one line, exit 0, no traceback (before: now and then a `ValueError: Invalid file descriptor`
traceback from uvicorn, the socket closed under it, and CancelledError tracebacks)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings
from tests.apply.support import EXAMPLES, KEY, free_port
from tests.meanwhile import GUARD, main_thread_in, once


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAYERS_", "GITHUB_"))}
    env.update(NO_COLOR="1")
    return env


def _until_requests(emulator: subprocess.Popen[str], url: str, total: int) -> None:
    """Until the emulator has received `total` requests (counted as each arrives)."""
    deadline = time.monotonic() + GUARD
    while httpx.get(f"{url}/_emulator/stats", timeout=GUARD).json()["total"] < total:
        assert emulator.poll() is None, "the emulator stopped by itself"
        assert time.monotonic() < deadline, f"fewer than {total} requests reached the emulator"
        time.sleep(0.05)


@pytest.mark.parametrize("signals", [[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT] * 2])
def test_stopping_with_requests_in_flight_is_quiet(tmp_path: Path, signals: list[int]) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "layers_reconcile", "emulator", "--port", str(port)),
            *("--db", str(tmp_path / "state.sqlite3"), "--speed", "5", "--latency-ms", "200"),
            *("--api-key", KEY),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    workspace = tmp_path / "ws"
    shutil.copytree(EXAMPLES / sorted(os.listdir(EXAMPLES))[0], workspace)
    client: subprocess.Popen[bytes] | None = None
    try:
        assert emulator.stdout is not None
        assert url in emulator.stdout.readline()
        apply_args = ("--api-url", url, "apply", str(workspace), "--auto-approve")
        # A real apply keeps several requests in flight (each held 200 ms by --latency-ms).
        client = subprocess.Popen(
            [sys.executable, "-m", "layers_reconcile", *apply_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**_env(), "LAYERS_API_KEY": KEY},
        )
        _until_requests(emulator, url, 8)
        for sig in signals:
            emulator.send_signal(sig)
        _out, err = emulator.communicate(timeout=60)
    finally:
        for proc in (emulator, client):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert emulator.returncode == 0, err
    assert "Traceback" not in err, err
    assert err.strip() == "Stopping the Layers API emulator." or signals == [signal.SIGTERM], err


def test_a_ctrl_c_during_wait_does_not_close_the_socket_under_the_running_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cause, deterministically: Ctrl-C delivered to the main thread while `wait()` blocks.
    On Python 3.11 that can mark uvicorn's thread stopped while it runs; `stop()` then closed the
    socket under it and its shutdown died with `ValueError: Invalid file descriptor: -1`."""
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, interrupt)
    server = EmulatorServer(EmulatorSettings(port=0)).start()
    main = threading.main_thread().ident
    assert main is not None
    # Sent once the main thread waits in `wait()`, not after a fixed time: on a loaded machine
    # a timer could fire before, and the KeyboardInterrupt then escapes `pytest.raises`.
    ctrl_c = once(
        main_thread_in(EmulatorServer.wait.__code__),
        lambda: signal.pthread_kill(main, signal.SIGUSR1),
    )
    try:
        with pytest.raises(KeyboardInterrupt):
            server.wait()
        server.stop()
    finally:
        ctrl_c.cancel()
        ctrl_c.join()
        signal.signal(signal.SIGUSR1, previous)
    assert ctrl_c.acted
    # Until uvicorn's thread has really ended (`enumerate` lists it until then).
    deadline = time.monotonic() + GUARD
    while any(t.name == "layers-emulator" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "uvicorn's thread did not end"
        time.sleep(0.05)
    assert died == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_request_held_past_the_grace_period_is_cut_quietly(tmp_path: Path, sig: int) -> None:
    """A request still running when the 2 s of grace end (here held 60 s by --latency-ms) is
    cancelled: before, uvicorn printed "Exception in ASGI application" with a CancelledError
    traceback for each one."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "layers_reconcile", "emulator", "--port", str(port)),
            *("--latency-ms", "60000", "--api-key", KEY),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    held = threading.Thread(
        target=httpx.get,
        args=(f"{url}/v1/whoami",),
        kwargs={"headers": {"Authorization": f"Bearer {KEY}"}, "timeout": 120},
        daemon=True,
    )
    try:
        assert emulator.stdout is not None
        assert url in emulator.stdout.readline()
        held.start()
        _until_requests(emulator, url, 1)
        emulator.send_signal(sig)
        _out, err = emulator.communicate(timeout=60)
    finally:
        if emulator.poll() is None:
            emulator.kill()
            emulator.communicate()
    assert emulator.returncode == 0, err
    assert "Traceback" not in err, err
    assert "Exception in ASGI application" not in err, err
    assert err.strip().splitlines() == [
        "Stopping the Layers API emulator.",
        "1 request still running was cut short (the 2 s to finish ended).",
    ], err
