"""A hostile API, round two (issue 15): what it says reaches no output as the key, as a
terminal escape, as a 4 GB body or as a RecursionError; an id it sends cannot change a route.

The real CLI runs against a scripted server on loopback (`hostile.py`)."""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli

from .hostile import WHOAMI, HostileApi, Request, Route, answer, one_customer_workspace

KEY_ID = "ROUNDTWOKEY0001"
SECRET = "Zq9xW3vB7nM2kL5pR8tY1uI4oA6sD0fGhJcVbNm12"
KEY = f"lp_test_{KEY_ID}_{SECRET}"
EMPTY = answer(200, {"items": [], "nextCursor": None})


def leaked(text: str) -> list[str]:
    """The runs of 8 characters of the secret in `text`, in any case, across characters a
    reader does not see (format and control characters)."""
    seen = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc")).lower()
    folded = SECRET.lower()
    return [folded[i : i + 8] for i in range(len(folded) - 7) if folded[i : i + 8] in seen]


def leaked_json(text: str) -> list[str]:
    """`leaked` in a JSON file, read as its decoded strings (a `\\u` escape hides nothing)."""
    return leaked(text) + leaked(json.dumps(json.loads(text), ensure_ascii=False))


def by_method(**routes: Route) -> Route:
    async def route(request: Request, writer: asyncio.StreamWriter) -> None:
        await routes[request.method](request, writer)

    return route


@pytest.fixture
def api() -> Iterator[HostileApi]:
    with HostileApi(routes={"/v1/whoami": WHOAMI, "/v1/projects": EMPTY}).running() as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    return one_customer_workspace(tmp_path / "ws", "round-two")


def run_cli(*args: str, summary: Path | None = None) -> tuple[int, str]:
    env = {"LAYERS_API_KEY": KEY, "LAYERS_API_URL": None, "GITHUB_STEP_SUMMARY": None}
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    result = CliRunner().invoke(cli, ["--no-color", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# -- item 1: every field of an error is redacted ---------------------------------------------


def test_an_error_code_holding_the_key_is_not_printed(api: HostileApi, workspace: Path) -> None:
    api.routes["/v1/whoami"] = answer(400, {"error": {"code": KEY, "message": "x"}})
    code, output = run_cli("--api-url", api.url, "plan", str(workspace))
    assert code == 1
    assert "400 ***: x" in output  # the error is shown, the key it holds is not
    assert not leaked(output), output


def test_a_422_code_with_the_key_during_apply_reaches_no_report_nor_summary(
    api: HostileApi, workspace: Path, tmp_path: Path
) -> None:
    refusal = {"error": {"code": f"VALIDATION {KEY}", "message": "no", "requestId": "req_1"}}
    api.routes["/v1/projects"] = by_method(GET=EMPTY, POST=answer(422, refusal))
    report, summary = tmp_path / "report.md", tmp_path / "summary.md"
    code, output = run_cli(
        "--api-url", api.url, "apply", str(workspace), "--auto-approve", "--report", str(report),
        summary=summary,
    )  # fmt: skip
    assert code == 1
    assert "VALIDATION" in report.read_text()  # the refusal is reported, the key is not
    for text in (output, report.read_text(), summary.read_text()):
        assert not leaked(text), text


# -- item 2: decoded values, any case, invisible characters ----------------------------------


def escaped(text: str) -> str:
    """`text` as JSON writes it with every character a `\\u` escape."""
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize(
    "hidden",
    [
        SECRET[2:30],
        SECRET[2:30].upper(),
        "\u200b".join(SECRET[2:30]),
        SECRET[2:14] + "\u00ad\u2060" + SECRET[14:30].swapcase(),
    ],
    ids=["as-is", "upper", "zero-width-between-each", "soft-hyphen-and-case"],
)
def test_a_key_written_with_escapes_in_a_project_name_reaches_no_output(
    api: HostileApi, workspace: Path, tmp_path: Path, hidden: str
) -> None:
    project = (
        '{"id": "prj_1", "customerExternalId": "cust-1", "status": "active", "metadata": {}, '
        f'"name": "renamed {escaped(hidden)}"}}'
    )
    api.routes["/v1/projects"] = answer(200, f'{{"items": [{project}]}}'.encode())
    api.routes["/v1/projects/prj_1"] = answer(200, project.encode())
    out, summary = tmp_path / "plan.json", tmp_path / "summary.md"
    code, output = run_cli(
        "--api-url", api.url, "plan", str(workspace), "--out", str(out), summary=summary
    )
    assert code == 0, output
    assert "renamed" in output  # the plan shows the name it read...
    assert not leaked(output), output  # ...without the key
    assert not leaked_json(out.read_text())
    assert not leaked(summary.read_text())


# -- items 11 and 16: nesting and ids ---------------------------------------------------------


@pytest.mark.parametrize("status", [200, 400, 500])
def test_a_deeply_nested_answer_is_an_unexpected_shape(
    api: HostileApi, workspace: Path, status: int
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    api.routes["/v1/projects"] = answer(status, deep, **{"X-Request-Id": "req_deep"})
    code, output = run_cli("--api-url", api.url, "plan", str(workspace))
    assert code == 1
    assert "the API answered an unexpected shape" in output
    assert "nests deeper than" in output
    assert "RecursionError" not in output


@pytest.mark.parametrize("bad", ["..", ".", "", "prj\x1b[2J", "prj\n1"])
def test_an_id_that_could_change_the_route_is_refused(
    api: HostileApi, workspace: Path, bad: str
) -> None:
    project = {"id": bad, "customerExternalId": "cust-1", "name": "One", "metadata": {}}
    api.routes["/v1/projects"] = answer(200, {"items": [project], "nextCursor": None})
    code, output = run_cli("--api-url", api.url, "plan", str(workspace))
    assert code == 1
    assert "the API answered an unexpected shape" in output
    assert "'id': the id" in output
    assert "\x1b" not in output
    assert {r.path for r in api.seen} <= {"/v1/whoami", "/v1/projects"}  # never GET /v1


# -- item 13: what the API says is shown printable -------------------------------------------


def test_escape_sequences_in_an_error_message_and_request_id_are_shown_escaped(
    api: HostileApi, workspace: Path
) -> None:
    evil = {"error": {"code": "INTERNAL", "message": "boom\x1b]0;owned\x07\x1b[2J\x9b"}}
    api.routes["/v1/projects"] = answer(500, evil, **{"X-Request-Id": "req\x1b[31mred"})
    code, output = run_cli("-vv", "--api-url", api.url, "plan", str(workspace))  # logs too
    assert code == 1
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", output), repr(output)
    assert "boom\\x1b]0;owned\\x07\\x1b[2J\\x9b" in output
    assert "req\\x1b[31mred" in output


def test_escape_sequences_in_a_project_name_are_shown_escaped(
    api: HostileApi, workspace: Path
) -> None:
    project = {
        "id": "prj_1",
        "customerExternalId": "cust-1",
        "name": "One\x1b]0;title\x07\x1b[2J\u202e",
        "status": "active",
        "metadata": {},
    }
    api.routes["/v1/projects"] = answer(200, {"items": [project], "nextCursor": None})
    api.routes["/v1/projects/prj_1"] = answer(200, project)
    code, output = run_cli("--api-url", api.url, "plan", str(workspace))
    assert code == 0, output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", output), repr(output)


# -- the last filter: whatever the key reaches, it is not written ----------------------------


def test_the_key_pasted_into_a_customer_file_is_not_written_anywhere(
    api: HostileApi, workspace: Path, tmp_path: Path
) -> None:
    """Not from the API at all: a key pasted into a file. stdout, stderr, `--out` and the step
    summary all pass the same redactor on their way out."""
    customer = workspace / "customers" / "c.yaml"
    customer.write_text(f"customerExternalId: cust-1\nproject:\n  name: oops {SECRET}\n")
    out, summary = tmp_path / "plan.json", tmp_path / "summary.md"
    code, output = run_cli(
        "-vv", "--api-url", api.url, "plan", str(workspace), "--out", str(out), summary=summary
    )
    assert code == 0, output
    assert 'name: "oops ***"' in output
    for text in (output, out.read_text(), summary.read_text()):
        assert not leaked(text), text
