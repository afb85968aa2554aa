"""`layers-reconcile github comment|drift` against a fake GitHub REST API on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from layers_reconcile.render.markdown import MARKER
from tests.ci.fake_github import REPO, TOKEN, FakeGitHub

PR = 7


def plan_markdown(path: Path, *bodies: str) -> Path:
    """What `plan --format markdown` prints: parts one after another, each after the marker."""
    path.write_text("\n".join(f"{MARKER}\n### layers-reconcile plan\n\n{b}\n" for b in bodies))
    return path


def comment(gh: FakeGitHub, *files: Path) -> Result:
    result = CliRunner().invoke(
        cli, ["github", "comment", "--repo", REPO, "--pr", str(PR), *map(str, files)]
    )
    assert TOKEN not in result.output
    return result


def test_comments_are_created_updated_in_place_and_shrink_from_three_parts_to_one(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    gh.comments[PR] = [{"id": i, "body": f"a reviewer's comment {i}"} for i in range(1, 131)]
    people = list(gh.bodies(PR))

    first = comment(gh, plan_markdown(tmp_path / "plan.md", "part one", "part two", "part three"))
    assert first.exit_code == 0, first.output
    assert "3 created" in first.output
    ours = [b for b in gh.bodies(PR) if b.startswith(MARKER)]
    assert [b.split("\n")[-2] for b in ours] == ["part one", "part two", "part three"]

    gh.calls.clear()
    second = comment(
        gh, plan_markdown(tmp_path / "plan.md", "part one", "part 2 changed", "part three")
    )
    assert second.exit_code == 0, second.output
    assert "1 updated, 2 unchanged" in second.output
    assert [c.split(" ")[0] for c in gh.writes()] == ["PATCH"]  # nothing piles up

    third = comment(gh, plan_markdown(tmp_path / "plan.md", "just one part now"))
    assert third.exit_code == 0, third.output
    assert "1 updated, 2 deleted" in third.output
    ours = [b for b in gh.bodies(PR) if b.startswith(MARKER)]
    assert len(ours) == 1
    assert ours[0].endswith("just one part now\n")
    assert [b for b in gh.bodies(PR) if not b.startswith(MARKER)] == people  # others untouched


def test_the_apply_report_has_its_own_comment_beside_the_plan(
    gh: FakeGitHub, tmp_path: Path
) -> None:
    comment(gh, plan_markdown(tmp_path / "plan.md", "the plan"))
    report = tmp_path / "report.md"
    report.write_text("<!-- layers-reconcile-apply -->\n### layers-reconcile apply\n\nall good\n")
    result = comment(gh, report)
    assert result.exit_code == 0, result.output
    bodies = gh.bodies(PR)
    assert len(bodies) == 2
    assert bodies[0].startswith(MARKER)
    assert bodies[1].startswith("<!-- layers-reconcile-apply -->")


def test_a_refused_token_is_a_clear_error_without_the_token(
    gh: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong_token_also_secret")
    result = CliRunner().invoke(
        cli,
        [
            "github",
            "comment",
            "--repo",
            REPO,
            "--pr",
            "1",
            str(plan_markdown(tmp_path / "p.md", "x")),
        ],
    )
    assert result.exit_code == 1
    assert "GitHub answered 401" in result.output
    assert "Bad credentials" in result.output
    assert "ghs_wrong_token_also_secret" not in result.output
    assert "Traceback" not in result.output


def drift(gh: FakeGitHub, code: int, file: Path | None) -> Result:
    args = ["github", "drift", "--repo", REPO, "--exit-code", str(code)]
    result = CliRunner().invoke(cli, [*args, *([str(file)] if file else [])])
    assert result.exit_code == 0, result.output
    return result


def test_one_drift_issue_is_opened_updated_and_closed(gh: FakeGitHub, tmp_path: Path) -> None:
    assert "no drift issue is open" in drift(gh, 0, None).output
    assert gh.issues == []
    opened = drift(gh, 2, plan_markdown(tmp_path / "a.md", "brand drifted"))
    assert "opened drift issue #1" in opened.output
    updated = drift(gh, 2, plan_markdown(tmp_path / "b.md", "brand and schedule drifted"))
    assert "updated drift issue #1" in updated.output
    same = drift(gh, 2, plan_markdown(tmp_path / "b.md", "brand and schedule drifted"))
    assert "is up to date" in same.output
    assert len(gh.issues) == 1
    assert "brand and schedule drifted" in gh.issues[0]["body"]
    assert drift(gh, 1, None).output.startswith("plan exited 1")  # an error changes nothing
    assert gh.issues[0]["state"] == "open"
    closed = drift(gh, 0, None)
    assert "closed drift issue #1" in closed.output
    assert gh.issues[0]["state"] == "closed"
    assert gh.bodies(1)[0].startswith("In sync again")
    again = drift(gh, 2, plan_markdown(tmp_path / "c.md", "drifted again"))
    assert "opened drift issue #2" in again.output


async def test_a_next_page_link_to_another_host_is_not_followed_with_the_token() -> None:
    import httpx

    from layers_reconcile.cli.github_api import GitHub
    from layers_reconcile.errors import ReconcileError

    hosts: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        link = '<https://collector.example/steal?page=2>; rel="next"'
        return httpx.Response(200, json=[], headers={"Link": link})

    transport = httpx.MockTransport(answer)
    async with GitHub("https://api.github.test", TOKEN, transport=transport) as gh:
        with pytest.raises(ReconcileError, match="not followed"):
            await gh.upsert_comments(REPO, 7, ["<!-- m -->\nplan\n"])
    assert hosts == ["api.github.test"]
