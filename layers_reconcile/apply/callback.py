"""A loopback stand-in for the partner's GitHub callback, while apply waits for an install.

GitHub (and the emulator) send the person back to `github.returnUrl?installation_id=N&state=S`;
a partner's callback then registers the installation. When that return URL is on this machine
(`localhost` / `127.0.0.1`) and apply waits for people, nobody else is listening there: apply
listens itself, on that port and path, for as long as the install gate is open, and registers
what arrives. One listener per port serves every customer waiting on it (told apart by `state`).
If the port is taken, apply does without it (the waiting message says how to finish by hand).

Only a request addressed to this machine by name (its `Host` header is `localhost` or
`127.0.0.1` with this port) is served, so a web page cannot reach the listener through a
rebound DNS name; after registering, the installation must cover the repository's owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

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


class _Listener:
    def __init__(self, port: int) -> None:
        self.port = port
        self.waiting: dict[str, tuple[str, Register]] = {}  # state -> (path, register)
        self.server: asyncio.Server | None = None

    async def start(self, host: str) -> bool:
        try:
            self.server = await asyncio.start_server(self._serve, host, self.port)
        except OSError as exc:
            _log.debug("cannot listen on %s:%d for the GitHub callback: %s", host, self.port, exc)
            return False
        return True

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            if self._host_ok(lines[1:]):
                status, text = await self._answer(lines[0])
            else:
                status, text = 421, "layers-reconcile: this listener answers only localhost"
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status, text = 400, "bad request"
        body = (text + "\n").encode()
        writer.write(
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        with contextlib.suppress(OSError):
            await writer.drain()
            writer.close()

    def _host_ok(self, header_lines: list[str]) -> bool:
        hosts = [
            value.strip().lower()
            for name, _, value in (line.partition(":") for line in header_lines)
            if name.strip().lower() == "host"
        ]
        if len(hosts) != 1:
            return False
        allowed = {f"{h}:{self.port}" for h in LOOPBACK_HOSTS}
        if self.port == 80:
            allowed |= set(LOOPBACK_HOSTS)
        return hosts[0] in allowed

    async def _answer(self, request_line: str) -> tuple[int, str]:
        method, _, rest = request_line.partition(" ")
        target = rest.rsplit(" ", 1)[0]
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        state = (query.get("state") or [""])[0]
        waiting = self.waiting.get(state)
        if method != "GET" or waiting is None or waiting[0] != (parts.path or "/"):
            return 404, "layers-reconcile: no install is waiting for this callback"
        raw_id = (query.get("installation_id") or [""])[0]
        if not raw_id.isdigit():
            return 400, "layers-reconcile: the callback carries no installation_id"
        try:
            done = await waiting[1](int(raw_id), state)
        except WrongInstallation as exc:
            _log.warning("%s", exc)
            return 409, f"layers-reconcile: {exc}"
        except Exception as exc:  # reported to the person's browser; the gate keeps waiting
            return 502, f"layers-reconcile could not register installation {raw_id}: {exc}"
        return 200, f"layers-reconcile: {done}. You can close this tab."


_listeners: dict[int, _Listener] = {}


async def receive_install(return_url: str, state: str, register: Register) -> bool:
    """Listen for the callback of `state` on `return_url`; False when that is not possible."""
    target = loopback_target(return_url)
    if target is None:
        return False
    host, port, path = target
    listener = _listeners.get(port)
    if listener is None:
        listener = _Listener(port)
        if not await listener.start(host):
            return False
        _listeners[port] = listener
    listener.waiting[state] = (path, register)
    return True


def stop_receiving(return_url: str, state: str) -> None:
    """The gate is closed: forget `state`, and stop listening once nobody waits on the port."""
    target = loopback_target(return_url)
    if target is None:
        return
    listener = _listeners.get(target[1])
    if listener is None:
        return
    listener.waiting.pop(state, None)
    if not listener.waiting:
        listener.close()
        del _listeners[target[1]]
