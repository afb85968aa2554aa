"""`github comment|drift` as a busy, strict GitHub answers: rate limits and 5xx are waited out
within a budget, a fork's read-only token gets a hint, only the token's own comments are edited,
and each workspace keeps its own comment."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.github_api import GitHub, graphql_url
from layers_reconcile.cli.main import cli
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.model import Plan
from layers_reconcile.render.markdown import render_markdown
from tests.ci.fake_github import REPO, TOKEN, FakeGitHub

PR = 12


def plan_file(path: Path, workspace: str | None, text: str = "") -> Path:
    plan = Plan(workspace=workspace, warnings=[text] if text else [])
    path.write_text("\n".join(render_markdown(plan)))
    return path


def comment(*files: Path) -> Result:
    result = CliRunner().invoke(
        cli, ["github", "comment", "--repo", REPO, "--pr", str(PR), *map(str, files)]
    )
    assert TOKEN not in result.output
    assert "Traceback" not in result.output
    return result


def test_two_workspaces_in_one_repository_keep_two_comments(gh: FakeGitHub, tmp_path: Path) -> None:
    assert comment(plan_file(tmp_path / "a.md", "acme-eu")).exit_code == 0
    assert comment(plan_file(tmp_path / "b.md", "acme-us")).exit_code == 0
    again = comment(plan_file(tmp_path / "a.md", "acme-eu", "eu changed"))
    assert "1 updated" in again.output, again.output
    bodies = gh.bodies(PR)
    assert len(bodies) == 2
    assert bodies[0].startswith("<!-- layers-reconcile-plan workspace=acme-eu -->\n")
    assert "eu changed" in bodies[0]
    assert bodies[1].startswith("<!-- layers-reconcile-plan workspace=acme-us -->\n")


def test_two_files_in_one_call_keep_one_comment_each(gh: FakeGitHub, tmp_path: Path) -> None:
    """`github comment a.md b.md` (two workspaces, or a plan and an apply report): each file's
    marker keeps its own comment; the second file is not glued into the first one's comment."""
    eu, us = plan_file(tmp_path / "a.md", "acme-eu"), plan_file(tmp_path / "b.md", "acme-us")
    report = tmp_path / "report.md"
    report.write_text("<!-- layers-reconcile-apply workspace=acme-eu -->\n### apply\n\ndone\n")
    assert comment(eu, us, report).exit_code == 0
    bodies = gh.bodies(PR)
    assert [b.splitlines()[0] for b in bodies] == [
        "<!-- layers-reconcile-plan workspace=acme-eu -->",
        "<!-- layers-reconcile-plan workspace=acme-us -->",
        "<!-- layers-reconcile-apply workspace=acme-eu -->",
    ]
    assert all(b.count("<!-- layers-reconcile") == 1 for b in bodies)
    again = comment(plan_file(tmp_path / "b.md", "acme-us", "us changed"))
    assert "1 updated" in again.output, again.output
    assert len(gh.bodies(PR)) == 3
    assert "us changed" in gh.bodies(PR)[1]


def test_a_comment_with_the_older_unnamed_marker_is_updated_not_left_behind(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    old = "<!-- layers-reconcile-plan -->\n### layers-reconcile plan\n\nan old plan\n"
    gh.comments[PR] = [{"id": 3, "body": old, "user": {"login": "github-actions[bot]"}}]
    result = comment(plan_file(tmp_path / "a.md", "acme-eu", "new"))
    assert "1 updated" in result.output, result.output
    (body,) = gh.bodies(PR)
    assert body.startswith("<!-- layers-reconcile-plan workspace=acme-eu -->\n")


@pytest.mark.parametrize("login", [None, "octo-bot"])
def test_a_persons_comment_that_starts_with_the_marker_is_never_touched(
    gh: FakeGitHub, tmp_path: Path, login: str | None
) -> None:
    gh.login = login  # None: a workflow's GITHUB_TOKEN, which writes as github-actions[bot]
    file = plan_file(tmp_path / "a.md", "acme", "first")
    marker = file.read_text().split("\n", 1)[0]
    quoted = f"{marker}\nI pasted the bot's comment here to discuss it"
    gh.comments[PR] = [{"id": 5, "body": quoted, "user": {"login": "alice"}}]
    assert comment(file).exit_code == 0
    second = comment(plan_file(tmp_path / "a.md", "acme", "second"))
    assert "1 updated" in second.output, second.output
    bodies = gh.bodies(PR)
    assert bodies[0] == quoted
    assert len(bodies) == 2
    assert "second" in bodies[1]
    assert gh.comments[PR][1]["user"]["login"] == (login or "github-actions[bot]")
    assert "GET /user" in gh.calls


def test_a_github_app_token_keeps_its_own_comment_and_issue(gh: FakeGitHub, tmp_path: Path) -> None:
    """A GitHub App's installation token (GET /user: 403) writes as `<app-slug>[bot]`: its own
    comment is updated in place, not piled up, and the workflow bot's comment is left alone."""
    gh.app_slug = "layers-ci"
    file = plan_file(tmp_path / "a.md", "acme", "first")
    marker = file.read_text().split("\n", 1)[0]
    workflow_bot = {
        "id": 5,
        "body": f"{marker}\nan older run",
        "user": {"login": "github-actions[bot]"},
    }
    gh.comments[PR] = [dict(workflow_bot)]
    assert "1 created" in comment(file).output
    second = comment(plan_file(tmp_path / "a.md", "acme", "second"))
    assert "1 updated" in second.output, second.output
    assert gh.comments[PR][0] == workflow_bot
    assert [c["user"]["login"] for c in gh.comments[PR]] == [
        "github-actions[bot]",
        "layers-ci[bot]",
    ]
    assert "second" in gh.bodies(PR)[1]
    drift = ["github", "drift", "--repo", REPO, "--exit-code", "2", str(file)]
    assert "opened drift issue #1" in CliRunner().invoke(cli, drift).output
    again = CliRunner().invoke(cli, drift)
    assert again.exit_code == 0
    assert "drift issue #1 is up to date" in again.output, again.output
    assert len(gh.issues) == 1


def test_the_graphql_endpoint_is_found_beside_the_rest_api() -> None:
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"


def test_rate_limits_and_server_errors_are_waited_out(gh: FakeGitHub, tmp_path: Path) -> None:
    gh.faults = [
        (429, {"Retry-After": "0"}, "slow down"),
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) - 1)},
            "You have exceeded a secondary rate limit",
        ),
        (502, {"Retry-After": "0"}, "Server Error"),
    ]
    result = comment(plan_file(tmp_path / "a.md", "acme"))
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert gh.faults == []
    assert len(gh.bodies(PR)) == 1


def test_a_forks_read_only_token_gets_a_hint(gh: FakeGitHub, tmp_path: Path) -> None:
    gh.read_only = True
    result = comment(plan_file(tmp_path / "a.md", "acme"))
    assert result.exit_code == 1
    assert "GitHub answered 403 to POST" in result.output
    assert "a pull request from a fork gets a read-only GITHUB_TOKEN" in result.output


def test_the_drift_issue_of_a_person_is_not_taken_over_and_each_workspace_has_its_own(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    file = plan_file(tmp_path / "a.md", "acme")
    marker = "<!-- layers-reconcile-drift -->"
    gh.issues.append(
        {
            "number": 1,
            "state": "open",
            "title": "copied",
            "body": f"{marker}\nmy notes",
            "labels": ["layers-drift"],
            "user": {"login": "alice"},
        }
    )
    args = ["github", "drift", "--repo", REPO, "--exit-code", "2", str(file)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "opened drift issue #2" in result.output
    assert gh.issues[1]["body"].startswith("<!-- layers-reconcile-drift workspace=acme -->\n")
    other = plan_file(tmp_path / "b.md", "beta")
    args = ["github", "drift", "--repo", REPO, "--exit-code", "2", str(other)]
    assert "opened drift issue #3" in CliRunner().invoke(cli, args).output  # its own issue
    in_sync = ["github", "drift", "--repo", REPO, "--exit-code", "0", str(file)]
    closed = CliRunner().invoke(cli, in_sync)
    assert "closed drift issue #2" in closed.output
    assert [i["state"] for i in gh.issues] == ["open", "closed", "open"]
    assert gh.issues[0]["body"].endswith("my notes")


def test_an_empty_exit_code_is_a_clear_error(gh: FakeGitHub) -> None:
    result = CliRunner().invoke(cli, ["github", "drift", "--repo", REPO, "--exit-code", ""])
    assert result.exit_code == 1
    assert "--exit-code '' is not the exit code of `plan --detailed-exitcode`" in result.output
    assert "Traceback" not in result.output
    assert gh.writes() == []


def test_waits_follow_github_headers_and_stop_at_the_budget() -> None:
    import httpx

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def call(*answers: tuple[int, dict[str, str]], budget: float = 120.0) -> int:
        answers_left = list(answers)

        def respond(_request: httpx.Request) -> httpx.Response:
            status, headers = answers_left.pop(0)
            return httpx.Response(status, headers=headers, json={"message": "limited"})

        transport = httpx.MockTransport(respond)
        async with GitHub(
            "https://api.github.test",
            TOKEN,
            transport=transport,
            retry_budget=budget,
            sleep=sleep,
            now=lambda: 1_000.0,
        ) as client:
            return (await client._call("GET", "/x")).status_code

    assert asyncio.run(call((429, {"Retry-After": "7"}), (200, {}))) == 200
    assert waits == [7.0]
    waits.clear()
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"}
    assert asyncio.run(call((403, reset), (503, {}), (503, {}), (200, {}))) == 200
    assert waits == [30.0, 2.0, 4.0]  # the reset, then backoff by attempt
    waits.clear()
    with pytest.raises(ReconcileError, match="gave up at the 120 s retry budget"):
        asyncio.run(call((429, {"Retry-After": "100"}), (429, {"Retry-After": "100"})))
    assert waits == [100.0]
