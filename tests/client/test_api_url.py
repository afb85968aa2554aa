"""Where the key may go: plain http only on loopback, never credentials in the URL, a malformed
URL is invalid (not unreachable), and a foreign apiUrl from layers.yaml is pointed out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.common import noted, resolve_endpoint
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.main import cli
from layers_reconcile.config import load_workspace
from layers_reconcile.plan.model import Plan
from layers_reconcile.render.text import plain_text

from .hostile import WHOAMI, HostileApi, answer, one_customer_workspace

KEY = "lp_test_APIURLKEYID00001_api-url-secret-part-0123456789abcdefghijk"


@pytest.fixture
def api() -> Iterator[HostileApi]:
    routes = {"/v1/whoami": WHOAMI, "/v1/projects": answer(200, {"items": []})}
    with HostileApi(routes=routes).running() as server:
        yield server


def workspace(folder: Path, api_url: str | None) -> Path:
    return one_customer_workspace(folder, "urls", f"apiUrl: {api_url}\n" if api_url else "")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--no-color", *args], env={"LAYERS_API_KEY": KEY, "LAYERS_API_URL": None}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.invalid", "apiUrl 'http://example.invalid' is plain http"),
        ("http://user:S3cr3tPa55@example.com", "apiUrl carries credentials"),
        ("https://user:S3cr3tPa55@example.com", "apiUrl carries credentials"),
        ("htp:/foo", "apiUrl 'htp:/foo' is not a valid URL"),
        ("htp://user:S3cr3tPa55@x", "apiUrl 'htp://x' is not a valid URL"),
    ],
)
def test_validate_refuses_an_api_url_that_would_leak_the_key(
    tmp_path: Path, url: str, message: str
) -> None:
    code, output = run("validate", str(workspace(tmp_path, url)))
    assert code == 1
    assert f"layers.yaml:2:9: {message}" in output
    assert "S3cr3tPa55" not in output
    code, output = run("plan", str(tmp_path))  # refused before any request
    assert code == 1
    assert message in output
    assert "S3cr3tPa55" not in output


def test_validate_points_out_a_foreign_api_host(tmp_path: Path) -> None:
    code, output = run("validate", str(workspace(tmp_path, "https://evil.example/v1")))
    assert code == 0, output
    assert (
        "layers.yaml:2:9: warning: apiUrl sends the API key to https://evil.example/v1, not the "
        "documented API host api.layers.com" in output
    )
    assert "CI should pin --api-url" in output


@pytest.mark.parametrize("url", ["https://api.layers.com", "http://127.0.0.1:8080"])
def test_the_documented_host_and_loopback_are_quiet(tmp_path: Path, url: str) -> None:
    code, output = run("validate", str(workspace(tmp_path, url)))
    assert code == 0
    assert "warning:" not in output


def test_a_malformed_api_url_is_invalid_not_unreachable(tmp_path: Path) -> None:
    code, output = run("--api-url", "htp:/foo", "plan", str(workspace(tmp_path, None)))
    assert code == 1
    assert "the API URL (--api-url / LAYERS_API_URL) 'htp:/foo' is not a valid URL" in output
    assert "Could not reach" not in output


def test_credentials_in_api_url_are_refused_and_never_echoed(
    tmp_path: Path, api: HostileApi
) -> None:
    url = api.url.replace("http://", "http://me:S3cr3tPa55@")
    code, output = run("--api-url", url, "plan", str(workspace(tmp_path, None)))
    assert code == 1
    assert "carries credentials" in output
    assert "S3cr3tPa55" not in output
    assert not api.seen


def test_plain_http_to_another_host_is_refused_before_sending(tmp_path: Path) -> None:
    code, output = run(
        "--api-url", "http://example.invalid", "plan", str(workspace(tmp_path, None))
    )
    assert code == 1
    assert "is plain http, which would send the API key in clear text" in output


def test_plain_http_on_loopback_is_fine(tmp_path: Path, api: HostileApi) -> None:
    code, output = run("--api-url", api.url, "plan", str(workspace(tmp_path, None)))
    assert code == 0, output
    assert "documented API host" not in output


def test_the_plan_header_says_when_a_foreign_url_comes_from_layers_yaml(tmp_path: Path) -> None:
    loaded = load_workspace(workspace(tmp_path, "https://evil.example"))
    endpoint = resolve_endpoint(GlobalOptions(api_key=KEY + "\n"), loaded)
    assert endpoint.api_key == KEY
    header = plain_text(noted(Plan(workspace="urls", api_url=endpoint.url), endpoint))
    assert (
        "! the API URL https://evil.example comes from layers.yaml and is not the documented API "
        "host api.layers.com: the API key is sent there (CI should pin --api-url)"
    ) in header
    pinned = resolve_endpoint(GlobalOptions(api_key=KEY, api_url="https://evil.example"), loaded)
    assert pinned.note is None  # chosen on the command line, not by the workspace file


def test_in_github_actions_a_foreign_api_url_from_layers_yaml_is_refused_before_sending(
    tmp_path: Path, api: HostileApi
) -> None:
    """A pull request that adds `apiUrl:` must not get the read key sent to its host."""
    ws = workspace(tmp_path, api.url)  # a collector the pull request points at
    result = CliRunner().invoke(
        cli,
        ["--no-color", "plan", str(ws)],
        env={"LAYERS_API_KEY": KEY, "LAYERS_API_URL": None, "GITHUB_ACTIONS": "true"},
    )
    assert result.exit_code == 1, result.output
    assert f"layers.yaml:2:9: apiUrl in layers.yaml is {api.url}," in result.output
    assert api.seen == []  # nothing, not even whoami, reached it
    assert "pin the API with --api-url or LAYERS_API_URL" in result.output
    assert "Traceback" not in result.output
    # Outside Actions it stays a warning in the header; pinned in Actions, the file is ignored.
    pinned = CliRunner().invoke(
        cli,
        ["--no-color", "plan", str(ws)],
        env={"LAYERS_API_KEY": KEY, "LAYERS_API_URL": api.url, "GITHUB_ACTIONS": "true"},
    )
    assert pinned.exit_code == 0, pinned.output
    assert api.count("/v1/whoami") == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1",  # an unclosed bracket
        "https://[zz]/",  # brackets around what is no IP address
        "http://[::1]x:80",  # text between the bracket and the port
        "https://me:S3cr3tPa55@[::1",  # the same with credentials: never shown
    ],
)
def test_a_malformed_bracketed_host_is_invalid_not_a_traceback(tmp_path: Path, url: str) -> None:
    code, output = run("--api-url", url, "plan", str(workspace(tmp_path, None)))
    assert code == 1, output
    assert "is not a valid URL" in output
    assert "S3cr3tPa55" not in output
    code, output = run("validate", str(workspace(tmp_path / "file", f"'{url}'")))
    assert code == 1, output
    assert "layers.yaml:2:9: apiUrl '" in output
    assert "is not a valid URL" in output
    assert "S3cr3tPa55" not in output


def test_a_query_string_in_the_api_url_is_refused_without_showing_it(
    tmp_path: Path, api: HostileApi
) -> None:
    url = api.url + "/?token=S3cr3tPa55"
    code, output = run("--api-url", url, "plan", str(workspace(tmp_path, None)))
    assert code == 1, output
    assert "query string" in output
    assert "S3cr3tPa55" not in output
    assert not api.seen
