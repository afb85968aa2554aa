"""`github comment|drift` given what CI should never hand it: a GITHUB_API_URL that would send the
token in clear text, carries credentials or is malformed (refused before any request, one error
line), and a FILE that is a named pipe (refused, not waited on)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from tests.ci.fake_github import REPO, TOKEN, FakeGitHub
from tests.ci.test_github_hardening import PR, plan_file


def _post(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["github", *args])
    assert TOKEN not in result.output
    assert "Traceback" not in result.output, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    return result


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://github.example.com/api/v3", "plain http"),
        ("https://me:S3cr3tPa55@github.example.com", "carries credentials"),
        ("https://[::1", "is not a valid URL"),
    ],
)
def test_an_unsafe_or_malformed_github_api_url_is_refused_before_sending(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", url)
    md = plan_file(tmp_path / "plan.md", "ws")
    for args in (
        ("comment", "--repo", REPO, "--pr", str(PR), str(md)),
        ("drift", "--repo", REPO, "--exit-code", "2", str(md)),
    ):
        result = _post(*args)
        assert result.exit_code == 1, result.output
        assert "GITHUB_API_URL" in result.output
        assert said in result.output
        assert "S3cr3tPa55" not in result.output
    assert gh.calls == []


def test_a_markdown_file_that_is_a_named_pipe_is_refused_not_waited_on(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    fifo = tmp_path / "plan.md"
    os.mkfifo(fifo)
    result = _post("comment", "--repo", REPO, "--pr", str(PR), str(fifo))
    assert result.exit_code == 1, result.output
    assert "named pipe" in result.output
    assert gh.writes() == []
