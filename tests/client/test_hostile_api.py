"""A hostile or broken API on loopback: every answer is bounded in time and size, and an answer
of the wrong shape is an error (exit 1, no traceback), never a plan."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import stamina
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from layers_reconcile.client import LayersClient
from layers_reconcile.errors import TransportError, UnexpectedAnswerError
from tests.meanwhile import GUARD

from .conftest import FakeClock
from .hostile import WHOAMI, HostileApi, Request, answer, one_customer_workspace

KEY = "lp_test_HOSTILEKEYID0001_hostile-secret-part-0123456789abcdefghij"


@pytest.fixture
def api() -> Iterator[HostileApi]:
    with HostileApi(routes={"/v1/whoami": WHOAMI}).running() as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return one_customer_workspace(tmp_path, "hostile")


def cli_run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--no-color", *args], env={"LAYERS_API_KEY": KEY, "LAYERS_API_URL": None}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


async def trickle(_request: Request, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte every 0.1 s: each gap is short, the answer never ends."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9999\r\n\r\n"
    )
    while True:
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.1)


async def endless(_request: Request, writer: asyncio.StreamWriter) -> None:
    """A chunked body that never stops growing (no Content-Length to refuse it by)."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" + b"0," * 32767 + b"0"
    while True:
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        await writer.drain()


# -- a total deadline per attempt, within the retry budget ----------------------------------


async def test_a_trickling_answer_fails_at_the_deadline_within_the_budget(
    api: HostileApi, clock: FakeClock
) -> None:
    """Each attempt ends at its deadline (before: the read timeout bounded only each gap and
    it never ended; the guard fails that), and the retries end with the budget. The budget
    runs on the client's clock, which only the client's own waits (the real backoff, not
    stamina's test mode) move: how many attempts fit does not depend on the machine's load
    (on the wall clock, a stall of 0.8 s in the first attempt left no budget for a retry)."""
    api.routes["/v1/projects/p1"] = trickle
    with stamina.set_testing(False):
        async with LayersClient(
            api.url, KEY, timeout=0.4, retry_budget=1.2, clock=clock, sleep=clock.sleep
        ) as client:
            with pytest.raises(TransportError, match="no complete answer within"):
                async with asyncio.timeout(GUARD):
                    await client.get_project("p1")
    assert 2 <= api.count("/v1/projects/p1") <= 4  # retried, within the budget
    assert clock.sleeps  # the backoff waited on the client's clock …
    assert sum(clock.sleeps[:-1]) < 1.2  # … and a retry was sent only while budget was left


def test_apply_timeout_covers_planning(api: HostileApi, workspace: Path) -> None:
    api.routes["/v1/projects"] = trickle
    started = time.monotonic()
    code, output = cli_run(
        "--api-url", api.url, "apply", str(workspace), "--auto-approve", "--timeout", "1s"
    )
    assert time.monotonic() - started < 8
    assert code == 1, output
    assert "gave up at --timeout (1 s) while planning; nothing was changed" in output
    assert "Traceback" not in output


# -- a cap on the size of an answer ---------------------------------------------------------


async def test_a_body_past_the_cap_is_refused_while_it_streams_and_not_fetched_again(
    api: HostileApi,
) -> None:
    api.routes["/v1/projects/p1"] = endless
    async with LayersClient(api.url, KEY, max_body_bytes=1024 * 1024) as client:
        with pytest.raises(UnexpectedAnswerError, match="over 1 MB"):
            await client.get_project("p1")
    assert api.count("/v1/projects/p1") == 1


async def test_a_declared_length_past_the_cap_is_refused_unread(api: HostileApi) -> None:
    api.routes["/v1/projects/p1"] = answer(200, b"x", **{"Content-Length": str(600 * 1024**2)})
    async with LayersClient(api.url, KEY) as client:
        with pytest.raises(UnexpectedAnswerError, match="the body is over 16 MB"):
            await client.get_project("p1")
    assert api.count("/v1/projects/p1") == 1


# -- answers of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"items": "not-a-list"}, "'items'"),
        ({"items": [{"name": "no id", "customerExternalId": "cust-1"}]}, "'id' is missing"),
        ({"items": ["a string"]}, "'items.0'"),
        ([], "expected a JSON object"),
    ],
)
def test_a_wrong_shape_is_an_error_not_a_plan(
    api: HostileApi, workspace: Path, body: object, why: str
) -> None:
    api.routes["/v1/projects"] = answer(200, body, **{"X-Request-Id": "req_shape"})
    code, output = cli_run("--api-url", api.url, "plan", str(workspace))
    assert code == 1, output
    assert "the API answered an unexpected shape at GET /v1/projects, requestId req_shape" in (
        output.replace("\n", " ")
    )
    assert why in output
    assert "create" not in output.lower()
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("call", "body", "why"),
    [
        (lambda c: c.get_project("p1"), {"name": "x", "customerExternalId": None}, "'id'"),
        (lambda c: c.get_project("p1"), {"id": "p1"}, "'customerExternalId' is missing"),
        (lambda c: c.get_project("p1"), {"id": 7, "customerExternalId": None}, "'id'"),
        (lambda c: c.list_influencers("p1"), {"items": [{"name": "x"}]}, "influencerId"),
        (lambda c: c.list_social_accounts("p1"), {"items": [{}]}, "socialAccountId"),
        (lambda c: c.list_content("p1"), {"items": [{"status": "x"}]}, "'id' is missing"),
        (lambda c: c.list_scheduled_posts("p1"), {"items": [{}]}, "'id' is missing"),
        (lambda c: c.get_installation(), {"status": "active"}, "'installationId' is missing"),
        (lambda c: c.generate_content("p1", {}, "k"), {"containerIds": []}, "'jobId'"),
        (lambda c: c.list_projects(), {"items": [], "nextCursor": 5}, "nextCursor"),
    ],
)
async def test_each_typed_helper_checks_its_answer(
    api: HostileApi, call: Callable[[LayersClient], Awaitable[object]], body: object, why: str
) -> None:
    for path in (
        "/v1/projects",
        "/v1/projects/p1",
        "/v1/projects/p1/influencers",
        "/v1/projects/p1/social-accounts",
        "/v1/projects/p1/content",
        "/v1/projects/p1/scheduled-posts",
        "/v1/github/installation",
    ):
        api.routes[path] = answer(200, body)
    async with LayersClient(api.url, KEY) as client:
        with pytest.raises(UnexpectedAnswerError, match="unexpected shape") as info:
            await call(client)
    assert why in str(info.value)
    assert info.value.request_id == "req_fake"


async def test_answers_of_the_right_shape_pass_with_their_extra_fields(api: HostileApi) -> None:
    row = {"id": "p1", "customerExternalId": "c", "newField": {"a": 1}}
    api.routes["/v1/projects/p1"] = answer(200, row)
    async with LayersClient(api.url, KEY) as client:
        assert (await client.get_project("p1")).raw() == row
