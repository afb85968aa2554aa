"""The connections under the client: httpx's own transport, whose pool asks a socket whether it
is readable without rebuilding AnyIO's attribute table each time.

Before every request it sends and after every answer it reads, httpcore's connection pool
(1.0.x) asks each idle connection whether the server has closed it (`has_expired`): the stream
answers `get_extra_info("is_readable")`, and AnyIO's stream builds its whole table of socket
attributes to find the socket, calling `getpeername()` on the way. With the 30-odd connections a
plan keeps open (8 customers at once, each with four lists side by side) that was a fifth of the
CPU of a no-op plan of 1,000 customers (`benchmarks/plan_noop.py`; encode/httpcore#928 and #929
describe the cost; upstream has not changed it). Here the socket is looked up once, when the
connection is made, and its readability asked of the operating system directly, as httpcore
itself does (`poll` with no wait).

Everything else is httpx's and httpcore's, unchanged: TLS (and its certificates from the
environment), exceptions, timeouts. When the environment names a proxy (`HTTPS_PROXY`, …) the
client keeps httpx's own transport: httpx mounts proxies from the environment only for a client
whose transport it builds itself.
"""

# httpcore's stream and backend interfaces take `timeout` arguments (ASYNC109): kept as they are.
# ruff: noqa: ASYNC109

from __future__ import annotations

import os
import select
import ssl
import sys
import urllib.request
from collections.abc import Iterable
from typing import Any, Protocol

import httpcore
import httpx

from layers_reconcile.errors import ReconcileError
from layers_reconcile.printable import printable

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)


class Fileno(Protocol):
    """A socket, as far as asking it needs (asyncio hands out `TransportSocket`s)."""

    def fileno(self) -> int: ...


def is_readable(sock: Fileno | None) -> bool:
    """Whether reading `sock` would return at once: on an idle HTTP/1.1 connection, that the
    server closed it (the read would return b""). A socket that is gone counts as readable, so
    the connection is dropped, never reused."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if sys.platform == "win32" or not hasattr(select, "poll"):
        ready, _, _ = select.select([fd], [], [], 0)
        return bool(ready)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Stream(httpcore.AsyncNetworkStream):
    """An AnyIO stream of httpcore's, with its socket looked up once."""

    __slots__ = ("_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: Fileno | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_readable(self._socket)
        return self._inner.get_extra_info(info)


class Backend(httpcore.AsyncNetworkBackend):
    """httpcore's AnyIO backend (what it picks under asyncio), its streams wrapped in `Stream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return Stream(inner)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class Transport(httpx.AsyncHTTPTransport):
    """httpx's transport (certificates verified, from the environment as httpx does), its pool
    built on `Backend`.

    httpx's transport takes no network backend. Its `__init__` does one thing, build the pool it
    sends through (`_pool`) from these arguments; this one builds it the same way on `Backend`
    instead (httpx's would cost a second SSL context, ~20 ms). `tests/client/test_network.py`
    notices when a later httpx keeps more than `_pool`.
    """

    def __init__(self, limits: httpx.Limits = LIMITS) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=Backend(),
        )


def default_transport() -> Transport | None:
    """The client's transport: `Transport`, or None (httpx's own, and with it httpx's proxies
    from the environment) when the environment names a proxy, read as httpx reads it
    (`urllib.request.getproxies`; a `NO_PROXY` alone names none)."""
    proxies = {scheme for scheme, url in urllib.request.getproxies().items() if url}
    return None if proxies - {"no"} else Transport()


# The variables httpx takes a proxy from (any case; `urllib.request.getproxies`).
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def proxy_variables() -> list[str]:
    """The proxy variables the environment sets (names only: a proxy URL may hold a password)."""
    return sorted(n for n, v in os.environ.items() if n.lower() in PROXY_VARIABLES and v)


def unusable_environment(exc: Exception) -> ReconcileError | None:
    """What httpx met building the client's connections from the environment, as one line that
    names the variable and what to do: a proxy it cannot use (a SOCKS proxy without `socksio`,
    an unknown scheme: ImportError, ValueError) or a `SSL_CERT_FILE` it cannot read (OSError,
    ssl.SSLError). None when the environment names neither (the error is someone else's)."""
    if isinstance(exc, OSError):
        if not os.environ.get("SSL_CERT_FILE"):
            return None
        reason = exc.strerror or str(exc)  # ssl.SSLError's too: "[X509: …] no certificate …"
        return ReconcileError(
            f"SSL_CERT_FILE names no certificate authorities that can be read ({reason}): "
            f"{printable(os.environ['SSL_CERT_FILE'])}. Point it at a PEM file of CA "
            "certificates, or unset SSL_CERT_FILE"
        )
    named = proxy_variables()
    if not named:
        return None
    # httpx's text shows a proxy URL with its password masked ("user:[secure]@")
    variables = " / ".join(named)
    return ReconcileError(
        f"the proxy {variables} names cannot be used: {printable(str(exc)).rstrip('.')}. "
        f"Fix or unset {variables}"
    )
