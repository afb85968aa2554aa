"""The loopback GitHub callback receiver: it serves only requests addressed to localhost (a
rebound DNS name gets nothing), and an installation that does not cover the repository's owner
is reported to the person, not taken."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from layers_reconcile.apply.callback import Receivers, WrongInstallation
from layers_reconcile.apply.steps.github import _listen
from layers_reconcile.records import InstallationAnswer
from tests.apply.support import free_port

STATE = "gh_state_1"


class Registrar:
    def __init__(self, login: str = "acme") -> None:
        self.login = login
        self.calls: list[tuple[int, str]] = []

    async def __call__(self, installation_id: int, state: str) -> str:
        self.calls.append((installation_id, state))
        if self.login != "acme":
            raise WrongInstallation(
                f"installation {installation_id} is on the GitHub account '{self.login}', "
                "which does not own acme/app"
            )
        return f"installation {installation_id} registered for acme"


@pytest.fixture
async def listening() -> AsyncIterator[tuple[str, Registrar]]:
    url = f"http://127.0.0.1:{free_port()}/github/callback"
    registrar = Registrar()
    async with Receivers() as receivers:
        assert await receivers.receive(url, STATE, registrar)
        yield url, registrar


async def get(url: str, host: str | None = None) -> httpx.Response:
    headers = {"Host": host} if host else {}
    async with httpx.AsyncClient(timeout=5) as http:
        return await http.get(
            url, params={"installation_id": "42", "state": STATE}, headers=headers
        )


async def test_a_request_for_another_host_name_is_refused(
    listening: tuple[str, Registrar],
) -> None:
    url, registrar = listening
    port = url.split(":")[2].split("/")[0]
    for host in (f"evil.example:{port}", "127.0.0.1", f"localhost.evil.example:{port}"):
        answer = await get(url, host)
        assert answer.status_code == 421, host
        assert "answers only localhost" in answer.text
    assert registrar.calls == []


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
async def test_a_request_for_localhost_registers(
    listening: tuple[str, Registrar], name: str
) -> None:
    url, registrar = listening
    port = url.split(":")[2].split("/")[0]
    answer = await get(url, f"{name}:{port}")
    assert answer.status_code == 200, answer.text
    assert "installation 42 registered for acme" in answer.text
    assert registrar.calls == [(42, STATE)]


async def test_an_installation_on_another_account_is_reported(
    listening: tuple[str, Registrar],
) -> None:
    url, registrar = listening
    registrar.login = "someone-else"
    answer = await get(url)
    assert answer.status_code == 409
    assert "is on the GitHub account 'someone-else', which does not own acme/app" in answer.text


class _Api:
    """The one API call the GitHub step's receiver makes: register, answering for `login`."""

    def __init__(self, login: str) -> None:
        self.login = login

    async def register_installation(
        self, installation_id: int, state: str, key: str
    ) -> InstallationAnswer:
        return InstallationAnswer.model_validate(
            {"installationId": installation_id, "orgLogin": self.login, "status": "active"}
        )


class _Ctx:
    def __init__(self, login: str, receivers: Receivers) -> None:
        self.api = _Api(login)
        self.spec = type("Spec", (), {"github": type("Gh", (), {"repo": "acme/app"})()})()
        self.receivers = receivers
        self.customer = "acme-001"

    def idempotency_key(self, step: str, body: object) -> str:
        return "k"


@pytest.mark.parametrize(
    ("login", "status", "said"),
    [
        ("acme", 200, "installation 42 registered for acme"),
        (
            "someone-else",
            409,
            "is on the GitHub account 'someone-else', which does not own acme/app",
        ),
    ],
)
async def test_the_github_step_checks_the_installation_covers_the_owner(
    login: str, status: int, said: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}/github/callback"
    async with Receivers() as receivers:
        # _Ctx: the four members of a customer context the listener uses, no API behind them
        assert await _listen(_Ctx(login, receivers), url, STATE, "acme")  # type: ignore[arg-type]
        answer = await get(url)
    assert answer.status_code == status
    assert said in answer.text


async def test_the_server_stops_when_the_last_state_is_forgotten() -> None:
    url = f"http://127.0.0.1:{free_port()}/github/callback"
    async with Receivers() as receivers:
        assert await receivers.receive(url, STATE, Registrar(), owner="acme-001")
        assert (await get(url)).status_code == 200
        await receivers.release("acme-001")  # that customer's run ended
        with pytest.raises(httpx.ConnectError):
            await get(url)


async def test_a_taken_port_is_done_without() -> None:
    url = f"http://127.0.0.1:{free_port()}/github/callback"
    async with Receivers() as first, Receivers() as second:
        assert await first.receive(url, STATE, Registrar())
        assert not await second.receive(url, "other", Registrar())


async def test_anything_but_a_get_of_the_waiting_path_and_state_is_not_found(
    listening: tuple[str, Registrar],
) -> None:
    url, registrar = listening
    async with httpx.AsyncClient(timeout=5) as http:
        posted = await http.post(url, params={"installation_id": "42", "state": STATE})
        elsewhere = await http.get(
            url.replace("/github/callback", "/other"),
            params={"installation_id": "42", "state": STATE},
        )
        unknown = await http.get(url, params={"installation_id": "42", "state": "nobody"})
        no_id = await http.get(url, params={"state": STATE})
    assert [posted.status_code, elsewhere.status_code, unknown.status_code] == [404, 404, 404]
    assert no_id.status_code == 400
    assert "carries no installation_id" in no_id.text
    assert registrar.calls == []


async def test_connections_accepted_by_the_listener_have_nagle_off() -> None:
    """asyncio turns Nagle off (TCP_NODELAY) only on connections of a socket whose `proto` says
    TCP. The listener once made its socket with `proto` 0, so its answer (head, then body) waited
    for the browser's delayed ACK, about 40 ms, like the emulator's did."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/github/callback"
    seen: list[int] = []

    async with Receivers() as receivers:

        async def register(installation_id: int, state: str) -> str:
            # Called while the request's connection is open: read that connection's socket.
            server = receivers._listeners[port].server
            assert server is not None
            for connection in server.server_state.connections:
                raw = connection.transport.get_extra_info("socket")
                seen.append(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            return "registered"

        assert await receivers.receive(url, STATE, register)
        answer = await get(url)
    assert answer.status_code == 200, answer.text
    assert seen, "the request's connection was not found"
    assert all(seen), seen  # TCP_NODELAY is set on every connection
