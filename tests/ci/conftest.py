"""The fake GitHub API the `github` subcommand's tests post to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ci.fake_github import TOKEN, FakeGitHub, fake_github


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A fake GitHub API the environment points `github` at, with a token and nothing else
    of GitHub Actions' environment."""
    with fake_github() as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        for var in ("GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_RUN_ID"):
            monkeypatch.delenv(var, raising=False)
        yield fake
