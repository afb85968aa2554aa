"""A hostile Layers API on loopback: a plain asyncio server in a thread, scripted per path.

Each route is a coroutine that gets the request and the stream writer and answers however it
likes (echo the key, trickle bytes, send a huge body, answer the wrong shape). Only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.meanwhile import GUARD
from tests.workspaces import write_workspace


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]


Route = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


async def send(
    writer: asyncio.StreamWriter,
    status: int,
    body: Any,
    headers: dict[str, str] | None = None,
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    head = {"Content-Type": "application/json", "Content-Length": str(len(raw))}
    head.update(headers or {})
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    writer.write(f"HTTP/1.1 {status} X\r\n{lines}\r\n".encode() + raw)
    await writer.drain()


def answer(status: int, body: Any, **headers: str) -> Route:
    async def route(_request: Request, writer: asyncio.StreamWriter) -> None:
        await send(writer, status, body, {"X-Request-Id": "req_fake", **headers})

    return route


CUSTOMER = "customerExternalId: cust-1\nproject:\n  name: One\n"


def one_customer_workspace(root: Path, name: str, settings: str = "") -> Path:
    """`root` as a workspace named `name` (more `layers.yaml` lines in `settings`) holding one
    customer, cust-1."""
    return write_workspace(root, {"c.yaml": CUSTOMER}, name=name, settings=settings)


WHOAMI = answer(200, {"organizationId": "org_1", "rateLimitTier": None, "scopes": ["*"]})


@dataclass
class HostileApi:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, path: str) -> int:
        return sum(1 for r in self.seen if r.path == path)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                parts = urlsplit(target)
                request = Request(method, parts.path, parts.query, headers)
                self.seen.append(request)
                route = self.routes.get(parts.path) or answer(
                    404, {"error": {"code": "NOT_FOUND", "message": "no", "requestId": "r"}}
                )
                await route(request, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            return  # the test is over: end quietly
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[HostileApi]:
        ready = threading.Event()
        stop: asyncio.Event | None = None

        async def main() -> None:
            nonlocal stop
            stop = asyncio.Event()
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self._loop = asyncio.get_running_loop()
            ready.set()
            async with server:
                await stop.wait()
                server.close()
                # Cut trickling answers at once: the test is over.
                for task in asyncio.all_tasks():
                    if task is not asyncio.current_task():
                        task.cancel()

        thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
        thread.start()
        assert ready.wait(GUARD), "the hostile API did not start"
        try:
            yield self
        finally:
            assert self._loop is not None
            assert stop is not None
            self._loop.call_soon_threadsafe(stop.set)
            thread.join(GUARD)
