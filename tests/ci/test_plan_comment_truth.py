"""The pull-request comment tells the truth: a failed plan says it failed (why, at which commit)
under the workspace's marker, and a --max-credits breach shows in the markdown with each
customer's credits. Real CLI against the emulator over HTTP, in a real git repository."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from layers_reconcile.cli.github_api import split_parts
from layers_reconcile.cli.main import cli
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan, workspace

pytest.importorskip("layers_reconcile.emulator.server")

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

MARKER = "<!-- layers-reconcile-plan workspace=plan-tests -->"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def committed(root: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    git("init", "-q", "-b", "main")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    return git("rev-parse", "HEAD")


def markdown(server: EmulatorServer, ws: Path, *args: str, key: str | None = None) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "--api-url",
            server.url,
            "--api-key",
            key or server.api_key,
            "plan",
            str(ws),
            "--format",
            "markdown",
            *args,
        ],
    )


def test_an_invalid_file_gives_a_failed_plan_comment_at_the_commit(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, {"fail-a": customer_yaml("fail-a")})
    (ws / "customers" / "fail-a.yaml").write_text("customerExternalId: fail-a\nproject: [\n")
    commit = committed(ws)
    result = markdown(server, ws)
    assert result.exit_code == 1
    (part,) = split_parts(result.stdout)
    assert part.startswith(MARKER + "\n")
    assert f"**The plan failed at commit `{commit[:12]}`.**" in part
    assert "customers/fail-a.yaml:" in part  # why, at file:line
    assert "Plan:" not in part
    assert "customers/fail-a.yaml:" in result.stderr


def test_a_refused_key_gives_a_failed_plan_comment(server: EmulatorServer, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"fail-b": customer_yaml("fail-b")})
    result = markdown(server, ws, key="lp_test_NOSUCHKEY0000001_wrong-secret-part-0123456789abc")
    assert result.exit_code == 1
    (part,) = split_parts(result.stdout)
    assert part.startswith(MARKER + "\n")
    assert "**The plan failed.**" in part  # not in git: no commit to name
    assert "refused the API key" in part
    assert "wrong-secret-part" not in result.output


def test_a_credit_breach_is_in_the_markdown_with_each_customers_credits(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, {i: customer_yaml(i) for i in ("cost-a", "cost-b")})
    within = run_plan(server, str(ws), "--max-credits", "100000")
    credits = int(within.stdout.split(" credits)")[0].rsplit("~", 1)[1])
    result = markdown(server, ws, "--max-credits", str(credits - 1))
    assert result.exit_code == 1
    (part,) = split_parts(result.stdout)
    assert "> [!CAUTION]" in part
    breach = f"would spend {credits} credits, over --max-credits {credits - 1} (cost-"
    assert breach in part
    assert "cost-a " in part.split("over --max-credits")[1].split(")")[0]
    assert "cost-b " in part.split("over --max-credits")[1].split(")")[0]
    assert "The plan failed" not in part  # the plan itself is shown, with the breach
    assert "<code>cost-a</code>" in part
