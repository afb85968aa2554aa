"""The key as a secret store hands it over (a trailing newline), and a server that echoes it:
no output, log or exception of the real CLI carries the Authorization value nor 8 consecutive
characters of the key's secret part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from layers_reconcile.cli.main import cli
from layers_reconcile.client import LayersClient
from layers_reconcile.client.envelope import Redactor, secret_part
from layers_reconcile.errors import ApiError

from .hostile import WHOAMI, HostileApi, answer, one_customer_workspace

KEY_ID = "HYGIENEKEYID0001"
SECRET = "Zq9xW3vB7nM2kL5pR8tY1uI4oA6sD0fGhJ-_cVbNm12"
KEY = f"lp_live_{KEY_ID}_{SECRET}"


def leaked_runs(text: str, secret: str = SECRET, run: int = 8) -> list[str]:
    return [
        secret[i : i + run] for i in range(len(secret) - run + 1) if secret[i : i + run] in text
    ]


@pytest.fixture
def api() -> Iterator[HostileApi]:
    with HostileApi(routes={"/v1/whoami": WHOAMI}).running() as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return one_customer_workspace(tmp_path, "hygiene")


def plan(api: HostileApi, workspace: Path, key: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["--no-color", *extra, "--api-url", api.url, "plan", str(workspace)],
        env={"LAYERS_API_KEY": key, "LAYERS_API_URL": None},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("mangled", [KEY + "\n", KEY + "\r\n", f"  {KEY}\t", "\ufeff" + KEY])
def test_surrounding_whitespace_is_stripped(api: HostileApi, workspace: Path, mangled: str) -> None:
    api.routes["/v1/projects"] = answer(200, {"items": [], "nextCursor": None})
    code, output = plan(api, workspace, mangled)
    if mangled.startswith("\ufeff"):  # a byte-order mark is inside the key, not around it
        assert code == 1
        assert "control character inside it" in output
        assert not api.seen
        return
    assert code == 0, output
    assert {r.headers["authorization"] for r in api.seen} == {f"Bearer {KEY}"}
    assert not leaked_runs(output)


@pytest.mark.parametrize("inner", ["\n", "\r", "\x01", " ", "\x7f", "\u2028"])
def test_a_control_character_inside_is_refused_without_showing_the_key(
    api: HostileApi, workspace: Path, inner: str
) -> None:
    key = KEY[:30] + inner + KEY[30:]
    code, output = plan(api, workspace, key)
    assert code == 1
    assert "the API key has a space, line break or other control character inside it" in output
    assert "(the key is not shown)" in output
    assert not leaked_runs(output)
    assert KEY_ID not in output
    assert not api.seen  # nothing was sent


def test_a_server_echoing_the_key_gets_none_of_it_printed(api: HostileApi, workspace: Path) -> None:
    echo = {
        "error": {
            "code": "UNAUTHENTICATED",
            "message": f"invalid key lp_live_{KEY_ID}_{SECRET[:20]}… (Bearer {KEY})",
            "requestId": f"req_{SECRET[5:25]}",
            "details": {"got": SECRET[10:30], SECRET[:9]: "as a key"},
        }
    }
    api.routes["/v1/whoami"] = answer(401, echo, **{"X-Request-Id": SECRET[2:14]})
    code, output = plan(api, workspace, KEY + "\n", "-vv")
    assert code == 1
    assert "refused the API key" in output
    assert "Bearer ***" in output  # the echo is shown, its value is not
    assert not leaked_runs(output), output


def test_a_key_echoed_in_a_successful_answer_is_not_printed(
    api: HostileApi, workspace: Path
) -> None:
    project = {
        "id": "prj_1",
        "customerExternalId": "cust-1",
        "name": f"renamed {SECRET[3:30]}",
        "status": "active",
        "metadata": {},
    }
    api.routes["/v1/projects"] = answer(200, {"items": [project], "nextCursor": None})
    api.routes["/v1/projects/prj_1"] = answer(200, project, **{"X-Request-Id": SECRET[:12]})
    _code, output = plan(api, workspace, KEY, "-vv")
    assert "renamed" in output  # the plan did read and show the answer
    assert not leaked_runs(output), output


async def test_errors_and_their_attributes_carry_no_run_of_the_secret(api: HostileApi) -> None:
    api.routes["/v1/projects/p1"] = answer(
        500,
        {"error": {"code": "INTERNAL", "message": f"{SECRET[1:9]}!", "requestId": SECRET[:8]}},
    )
    async with LayersClient(api.url, KEY + "\n", max_attempts=1) as client:
        with pytest.raises(ApiError) as info:
            await client.get_project("p1")
    error = info.value
    for text in (str(error), repr(error), error.message, str(error.request_id), str(vars(error))):
        assert not leaked_runs(text), text


def test_the_key_id_is_public_the_secret_part_is_not() -> None:
    assert secret_part(KEY) == SECRET
    assert secret_part("opaque-key-without-parts-123") == "opaque-key-without-parts-123"
    redactor = Redactor(KEY)
    assert redactor.text(f"key {KEY_ID} ok") == f"key {KEY_ID} ok"
    assert redactor.text(f"#{SECRET[4:12]}#") == "#***#"
    assert redactor.text(f"#{SECRET[4:11]}#") == f"#{SECRET[4:11]}#"  # 7 characters: not a run


@given(start=st.integers(0, len(SECRET) - 8), length=st.integers(8, 30), noise=st.text(max_size=20))
def test_any_run_of_eight_is_redacted_wherever_it_sits(start: int, length: int, noise: str) -> None:
    run = SECRET[start : start + length]
    text = Redactor(KEY).text(noise + run + noise)
    assert not leaked_runs(text)
