"""`EmulatorServer(settings)`: the emulator served by uvicorn on a thread, for tests and `--emulator`."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn

from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.clock import Clock
from layers_reconcile.emulator.faults import silence_dropped_connections
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.emulator.state import Emulator

STARTUP_TIMEOUT = 10.0


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol named, as `getaddrinfo` would give it: asyncio turns Nagle off (TCP_NODELAY)
    # only on a socket whose `proto` says TCP. Without it every answer uvicorn writes in two
    # pieces (head, then body) waited for the client's delayed ACK: about 40 ms a request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def url_for(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


GRACE = 2  # seconds requests in flight get to finish when the server stops


class EmulatorServer:
    """Runs the emulator on `settings.host` (port 0 = any free port) until the context exits."""

    def __init__(self, settings: EmulatorSettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self._clock = clock
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._emulator: Emulator | None = None
        # Set when uvicorn's thread has returned. Waiting on this, not on `Thread.join`: on
        # Python 3.11 a Ctrl-C that interrupts `join()` can leave the thread marked stopped while
        # it still runs, and closing the socket under it then ended in a traceback.
        self._done = threading.Event()
        self.url = ""

    @property
    def api_key(self) -> str:
        return self.settings.effective_api_key

    @property
    def emulator(self) -> Emulator:
        if self._emulator is None:
            raise RuntimeError("the emulator server is not running")
        return self._emulator

    def start(self) -> EmulatorServer:
        app = create_app(self.settings, clock=self._clock)
        self._emulator = app.state.emulator
        sock = self._socket = bind_socket(self.settings.host, self.settings.port)
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=GRACE,
        )
        silence_dropped_connections()
        _quiet_stop()
        server = self._server = uvicorn.Server(config)
        self._done.clear()

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            finally:
                self._done.set()

        self._thread = threading.Thread(target=serve, name="layers-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if self._done.is_set() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Layers emulator failed to start")
            time.sleep(0.005)
        self.url = url_for(self.settings.host, sock.getsockname()[1])
        return self

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt in the caller)."""
        while self._thread is not None and not self._done.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving: requests in flight get GRACE seconds to finish, then are cancelled."""
        if self._server is not None:
            self._server.should_exit = True
        stopped = self._thread is None or self._done.wait(10)
        if self._thread is not None and stopped:
            self._thread.join(1)
        if not stopped:
            return  # a daemon thread: it ends with the process; closing under it would fail
        if self._socket is not None:
            self._socket.close()
        if self._emulator is not None:
            self._emulator.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _QuietStop(logging.Filter):
    """A request still running when the grace ends is cancelled: one plain line says how many,
    instead of uvicorn's wording and a CancelledError traceback per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            return False
        if record.msg == "Cancel %s running task(s), timeout graceful shutdown exceeded":
            args = record.args if isinstance(record.args, tuple) else ()
            count = args[0] if args and isinstance(args[0], int) else 0
            record.msg = (
                f"{count} request{'' if count == 1 else 's'} still running "
                f"{'was' if count == 1 else 'were'} cut short (the {GRACE} s to finish ended)."
            )
            record.args = ()
        return True


def _quiet_stop() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietStop) for f in logger.filters):
        logger.addFilter(_QuietStop())
