"""The client's connections (`client/network.py`): httpx's transport on a stream that asks the
socket itself whether the server closed an idle connection. Real sockets on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpcore
import httpx
import pytest
import trustme

from layers_reconcile.client import LayersClient
from layers_reconcile.client.network import LIMITS, Backend, Transport, is_readable
from layers_reconcile.errors import TransportError
from tests.meanwhile import GUARD

from .hostile import HostileApi, Request, answer, send

KEY = "lp_test_NETWORKKEYID0001_network-secret-part-0123456789abcdefghij"
PROJECT = {"id": "p1", "customerExternalId": "c", "name": "n"}


def test_a_socket_is_readable_once_its_peer_has_closed_it() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        assert not is_readable(ours)  # idle, open: nothing to read
        theirs.close()
        assert is_readable(ours)  # the read would return b"" at once


def test_a_socket_that_is_gone_counts_as_readable() -> None:
    ours, theirs = socket.socketpair()
    theirs.close()
    ours.close()  # fileno() is -1 now
    assert is_readable(ours)
    assert is_readable(None)


@contextlib.asynccontextmanager
async def one_connection() -> AsyncIterator[tuple[httpcore.AsyncNetworkStream, asyncio.Event]]:
    """A stream of `Backend` to a loopback server, and an event that closes the server's end."""
    close = asyncio.Event()
    closed = asyncio.Event()

    async def serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await close.wait()
        writer.close()
        await writer.wait_closed()
        closed.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        stream = await Backend().connect_tcp("127.0.0.1", port, timeout=5)
        try:
            yield stream, close
        finally:
            await stream.aclose()
            close.set()
            await asyncio.wait_for(closed.wait(), GUARD)


async def test_the_stream_says_readable_when_the_server_closed_the_idle_connection() -> None:
    async with one_connection() as (stream, close):
        assert stream.get_extra_info("is_readable") is False
        close.set()
        for _ in range(int(GUARD / 0.01)):  # it reaches us within a few loop turns
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
        assert await stream.read(100, timeout=GUARD) == b""


async def test_the_stream_answers_every_other_question_as_httpcore_does() -> None:
    async with one_connection() as (stream, _close):
        sock = stream.get_extra_info("socket")
        assert sock.fileno() >= 0
        assert stream.get_extra_info("server_addr") == sock.getpeername()
        assert stream.get_extra_info("client_addr") == sock.getsockname()
        assert stream.get_extra_info("ssl_object") is None


def test_the_transport_holds_what_httpx_own_holds() -> None:
    """httpx's transport keeps its pool in `_pool`, made in `__init__`; ours makes the same
    attribute itself. A later httpx keeping more (or elsewhere) fails here, not silently."""
    ours, theirs = Transport(), httpx.AsyncHTTPTransport(limits=LIMITS)
    assert set(vars(ours)) == set(vars(theirs)) == {"_pool"}
    assert type(ours._pool) is type(theirs._pool)


async def test_the_client_sends_through_it_when_given_no_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_PROXY", "example.com")  # names no proxy
    async with LayersClient("http://127.0.0.1:9", KEY) as client:
        assert isinstance(client._http._transport, Transport)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_a_proxy_the_environment_names_is_used_as_httpx_would(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """httpx mounts proxies from the environment only for a transport of its own: with one
    named, the client keeps httpx's. The API's host does not resolve: only the proxy reaches it."""
    with HostileApi(routes={"/v1/projects/p1": answer(200, PROJECT)}).running() as proxy:
        monkeypatch.setenv(variable, proxy.url)
        async with LayersClient("http://layers.invalid", KEY) as client:
            assert (await client.get_project("p1")).raw() == PROJECT
    assert [r.headers["host"] for r in proxy.seen] == ["layers.invalid"]


async def test_a_proxy_that_cannot_be_reached_is_named_beside_the_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The failure says which variable sent the request to a proxy (never the proxy's URL: it
    may hold a password); without a proxy set it reads as before."""
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        dead = f"http://user:pa55word@127.0.0.1:{unused.getsockname()[1]}"
    monkeypatch.setenv("HTTPS_PROXY", dead)
    monkeypatch.setenv("http_proxy", dead)
    async with LayersClient("http://layers.invalid", KEY, max_attempts=1) as client:
        with pytest.raises(TransportError) as info:
            await client.get_project("p1")
    assert str(info.value).endswith("; HTTPS_PROXY / http_proxy set: check that proxy too")
    assert "pa55word" not in str(info.value)
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("http_proxy")
    url = f"http://127.0.0.1:{dead.rsplit(':', 1)[1]}"
    async with LayersClient(url, KEY, max_attempts=1) as client:
        with pytest.raises(TransportError) as info:
            await client.get_project("p1")
    assert "proxy" not in str(info.value)


@dataclass
class HeldAnswers:
    """A route that holds each request until `together` have arrived, then answers them all:
    that many connections are open at once. `peers`: every connection a request came on."""

    together: int
    peers: set[tuple[str, int]] = field(default_factory=set)
    _waiting: int = 0
    _all_here: asyncio.Event | None = None

    async def route(self, _request: Request, writer: asyncio.StreamWriter) -> None:
        self.peers.add(writer.get_extra_info("peername"))
        all_here = self._all_here = self._all_here or asyncio.Event()
        self._waiting += 1
        if self._waiting == self.together:
            self._waiting, self._all_here = 0, None
            all_here.set()
        await all_here.wait()
        await send(writer, 200, PROJECT)


@pytest.mark.parametrize("proxy", [None, "HTTP_PROXY"])
async def test_connections_are_kept_for_the_next_requests_with_or_without_a_proxy(
    monkeypatch: pytest.MonkeyPatch, proxy: str | None
) -> None:
    """A plan keeps ~30 connections busy at once (8 customers, their lists side by side); the
    next requests go on those connections, not on new ones, also through a proxy (where httpx
    builds the transport from the client's limits)."""
    held = HeldAnswers(together=40)
    with HostileApi(routes={"/v1/projects/p1": held.route}).running() as server:
        if proxy is not None:
            monkeypatch.setenv(proxy, server.url)
        url = "http://layers.invalid" if proxy is not None else server.url
        async with LayersClient(url, KEY) as client:
            for _ in range(2):
                await asyncio.gather(*(client.get_project("p1") for _ in range(held.together)))
            assert client.stats.retries == 0
    assert server.count("/v1/projects/p1") == 2 * held.together
    assert len(held.peers) == held.together


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """The server closes each connection after its answer, without saying so (no `Connection:
    close`): each next request must go on a new connection, not fail on the dead one and be
    retried."""
    closed = threading.Event()

    async def answer_then_close(_request: Request, writer: asyncio.StreamWriter) -> None:
        await send(writer, 200, PROJECT)
        writer.close()
        await writer.wait_closed()
        closed.set()

    with HostileApi(routes={"/v1/projects/p1": answer_then_close}).running() as api:
        async with LayersClient(api.url, KEY) as client:
            for _ in range(4):
                closed.clear()
                assert (await client.get_project("p1")).raw() == PROJECT
                assert await asyncio.to_thread(closed.wait, GUARD)
            assert client.stats.requests == 4
            assert client.stats.retries == 0
        assert api.count("/v1/projects/p1") == 4


# -- over TLS, as the real API is reached ----------------------------------------------------


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@dataclass
class TlsApi:
    url: str
    connections: int = 0


@contextlib.asynccontextmanager
async def tls_api(authority: trustme.CA) -> AsyncIterator[TlsApi]:
    """An HTTPS server on loopback (its certificate for 127.0.0.1, signed by `authority`) that
    answers every request with PROJECT and counts the connections made to it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    api = TlsApi("")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        api.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await send(writer, 200, PROJECT)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    api.url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield api


async def test_the_api_over_tls_is_reached_with_the_certificates_httpx_would_trust(
    authority: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SSL_CERT_FILE` names the authorities to trust, as httpx reads it; the connection is kept
    and used again."""
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    async with tls_api(authority) as api, LayersClient(api.url, KEY) as client:
        for _ in range(3):
            assert (await client.get_project("p1")).raw() == PROJECT
        assert client.stats.retries == 0
    assert api.connections == 1


async def test_a_certificate_no_trusted_authority_signed_is_refused(
    authority: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with tls_api(authority) as api, LayersClient(api.url, KEY, max_attempts=1) as client:
        with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get_project("p1")


# -- what the environment names and httpx cannot use ------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "HTTPS_PROXY",
            "socks5://127.0.0.1:9",
            "error: the proxy HTTPS_PROXY names cannot be used: Using SOCKS proxy, but the "
            "'socksio' package is not installed.",
        ),
        (
            "all_proxy",
            "ftp://user:Pr0xyPa55@127.0.0.1:9",
            "error: the proxy all_proxy names cannot be used: Unknown scheme for proxy URL",
        ),
        (
            "SSL_CERT_FILE",
            "garbage.pem",
            "error: SSL_CERT_FILE names no certificate authorities that can be read (",
        ),
    ],
)
@pytest.mark.parametrize("command", ["plan", "apply", "links", "import"])
def test_a_proxy_or_certificate_file_httpx_cannot_use_is_one_clear_line(
    tmp_path: Path, command: str, variable: str, value: str, said: str
) -> None:
    """Before any request (nothing listens at the API's address): exit 1, one line that names
    the variable and what to do, no traceback, neither the key nor the proxy's password. (A
    missing SSL_CERT_FILE is the same error with httpx 0.28; httpx 0.27 ignores it.)"""
    from click.testing import CliRunner

    from layers_reconcile.cli.main import cli

    from .hostile import one_customer_workspace

    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    if variable == "SSL_CERT_FILE":
        value = str(tmp_path / value)
    (tmp_path / "ws").mkdir()
    folder = one_customer_workspace(tmp_path / "ws", "environment")
    args = {"apply": ["apply", "--auto-approve"], "import": ["import"]}.get(command, [command])
    result = CliRunner().invoke(
        cli,
        ["--no-color", "--api-url", "http://127.0.0.1:9", *args, str(folder)],
        env={"LAYERS_API_KEY": KEY, variable: value},
    )
    assert isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert said in result.output
    assert f"unset {variable}" in result.output
    assert "Traceback" not in result.output
    assert KEY not in result.output
    assert "Pr0xyPa55" not in result.output


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "all_proxy"])
def test_the_embedded_emulator_is_reached_directly_whatever_proxy_the_environment_names(
    tmp_path: Path, variable: str
) -> None:
    """`--emulator` serves the API in this process, on loopback: a proxy exported for the
    outside world (here one nobody listens at) must not stand between the two."""
    from click.testing import CliRunner

    from layers_reconcile.cli.main import cli

    from .hostile import one_customer_workspace

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{unused.getsockname()[1]}"  # bound, never listening
        folder = one_customer_workspace(tmp_path, "embedded")
        result = CliRunner().invoke(
            cli, ["--no-color", "plan", "--emulator", str(folder)], env={variable: dead}
        )
    assert result.exit_code == 0, result.output
    assert "cust-1/project  create" in result.output
