"""A loopback stand-in for the partner's GitHub callback, while apply waits for an install.

GitHub (and the emulator) send the person back to `github.returnUrl?installation_id=N&state=S`;
a partner's callback then registers the installation. When that return URL is on this machine
(`localhost` / `127.0.0.1`) and apply waits for people, nobody else is listening there: apply
listens itself, on that port and path, for as long as the customer's run goes on, and registers
what arrives. One server per port serves every customer waiting on it (told apart by `state`).
If the port is taken, apply does without it (the waiting message says how to finish by hand).

`Receivers` belongs to one `execute()`: it is opened and closed with the run, and forgets a
customer's states when that customer's run ends. Each server is starlette served by uvicorn on
a socket bound here (so a taken port is a plain `False`, and uvicorn never touches signals).

Only a request addressed to this machine by name (its `Host` header is `localhost` or
`127.0.0.1` with this port) is served, so a web page cannot reach the listener through a
rebound DNS name; after registering, the installation must cover the repository's owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

_log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
Register = Callable[[int, str], Awaitable[str]]  # (installation id, state) -> what happened


class WrongInstallation(Exception):
    """Registered, but the installation does not cover the repository's owner."""


def loopback_target(return_url: str) -> tuple[str, int, str] | None:
    """(host, port, path) when `return_url` points at this machine over plain HTTP."""
    parts = urlsplit(return_url)
    if parts.scheme != "http" or (parts.hostname or "").lower() not in LOOPBACK_HOSTS:
        return None
    try:
        port = parts.port or 80
    except ValueError:
        return None
    return (parts.hostname or "127.0.0.1"), port, parts.path or "/"


@dataclass
class _Waiting:
    path: str
    register: Register
    owner: str  # the customer whose run registered it


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # Ctrl-C stays apply's (exit 130), not this server's


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bound to `host`:`port`, listening; OSError if taken. The protocol is named, as
    `getaddrinfo` would give it: asyncio turns Nagle off (TCP_NODELAY) only on a socket whose
    `proto` says TCP, and without it uvicorn's answer (head, then body) waited ~40 ms for the
    browser's delayed ACK. (The emulator makes its own the same way: it shares no code with
    the reconciler.)"""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class _Listener:
    port: int
    waiting: dict[str, _Waiting] = field(default_factory=dict)  # state -> who waits
    server: _Server | None = None
    task: asyncio.Task[None] | None = None

    async def start(self, host: str) -> bool:
        try:  # connections queue from now on, while uvicorn starts
            sock = _listening_socket(host if host != "localhost" else "127.0.0.1", self.port)
        except OSError as exc:
            _log.debug("cannot listen on %s:%d for the GitHub callback: %s", host, self.port, exc)
            return False
        # Every method reaches `_serve` (the Host check first; anything but GET is a 404).
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        app = Starlette(routes=[Route("/{path:path}", self._serve, methods=methods)])
        config = uvicorn.Config(
            app, lifespan="off", http="h11", log_config=None, access_log=False, log_level=None
        )
        self.server = _Server(config)
        self.task = asyncio.create_task(self.server.serve(sockets=[sock]))
        return True

    async def close(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            with contextlib.suppress(Exception):
                await self.task
        self.server = self.task = None

    async def _serve(self, request: Request) -> PlainTextResponse:
        if not self._host_ok(request.headers.getlist("host")):
            return _text(421, "layers-reconcile: this listener answers only localhost")
        state = request.query_params.get("state", "")
        waiting = self.waiting.get(state)
        if request.method != "GET" or waiting is None or waiting.path != request.url.path:
            return _text(404, "layers-reconcile: no install is waiting for this callback")
        raw_id = request.query_params.get("installation_id", "")
        if not raw_id.isdigit():
            return _text(400, "layers-reconcile: the callback carries no installation_id")
        try:
            done = await waiting.register(int(raw_id), state)
        except WrongInstallation as exc:
            _log.warning("%s", exc)
            return _text(409, f"layers-reconcile: {exc}")
        except Exception as exc:  # reported to the person's browser; the gate keeps waiting
            return _text(502, f"layers-reconcile could not register installation {raw_id}: {exc}")
        return _text(200, f"layers-reconcile: {done}. You can close this tab.")

    def _host_ok(self, hosts: list[str]) -> bool:
        if len(hosts) != 1:
            return False
        allowed = {f"{h}:{self.port}" for h in LOOPBACK_HOSTS}
        if self.port == 80:
            allowed |= set(LOOPBACK_HOSTS)
        return hosts[0].strip().lower() in allowed


def _text(status: int, text: str) -> PlainTextResponse:
    return PlainTextResponse(text + "\n", status_code=status)


class Receivers:
    """The loopback callback servers of one apply run: `async with Receivers() as receivers`."""

    def __init__(self) -> None:
        self._listeners: dict[int, _Listener] = {}

    async def __aenter__(self) -> Receivers:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def receive(
        self, return_url: str, state: str, register: Register, *, owner: str = ""
    ) -> bool:
        """Listen for the callback of `state` on `return_url`; False when that is not possible."""
        target = loopback_target(return_url)
        if target is None:
            return False
        host, port, path = target
        listener = self._listeners.get(port)
        if listener is None:
            listener = _Listener(port)
            if not await listener.start(host):
                return False
            self._listeners[port] = listener
        listener.waiting[state] = _Waiting(path, register, owner)
        return True

    async def stop(self, return_url: str, state: str) -> None:
        """The gate is closed: forget `state`, and stop listening once nobody waits on the port."""
        target = loopback_target(return_url)
        listener = self._listeners.get(target[1]) if target is not None else None
        if listener is not None:
            listener.waiting.pop(state, None)
            await self._close_idle(listener)

    async def release(self, owner: str) -> None:
        """A customer's run ended: forget every state it waited on."""
        for listener in list(self._listeners.values()):
            for state in [s for s, w in listener.waiting.items() if w.owner == owner]:
                del listener.waiting[state]
            await self._close_idle(listener)

    async def aclose(self) -> None:
        listeners, self._listeners = list(self._listeners.values()), {}
        for listener in listeners:
            await listener.close()

    async def _close_idle(self, listener: _Listener) -> None:
        if not listener.waiting and self._listeners.get(listener.port) is listener:
            del self._listeners[listener.port]
            await listener.close()
