"""What `plan` does for CI: --max-credits, the job summary, and --format github annotations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers_reconcile import __version__
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan, seed, workspace

pytest.importorskip("layers_reconcile.emulator.server")

from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def test_max_credits_fails_naming_customers_and_credits(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, {i: customer_yaml(i) for i in ("cost-a", "cost-b")})
    within = run_plan(server, str(ws), "--max-credits", "100000")
    assert within.exit_code == 0, within.output
    credits = int(within.stdout.split(" credits)")[0].rsplit("~", 1)[1])
    assert credits > 0
    over = run_plan(server, str(ws), "--max-credits", str(credits - 1))
    assert over.exit_code == 1
    assert f"would spend {credits} credits, over --max-credits {credits - 1}" in over.stderr
    assert "cost-a " in over.stderr
    assert "cost-b " in over.stderr
    assert "Plan:" in over.stdout  # the plan is still shown, so the reviewer sees why
    doc = json.loads(run_plan(server, str(ws), "--format", "json").stdout)
    assert doc["toolVersion"] == __version__
    assert "commit" not in doc  # not in a git work tree


def test_plan_appends_its_markdown_to_the_job_summary(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace(tmp_path / "ws", {"summary-a": customer_yaml("summary-a")})
    summary = tmp_path / "summary.md"
    summary.write_text("# Validate\nok\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_plan(server, str(ws))
    assert result.exit_code == 0, result.output
    text = summary.read_text()
    assert text.startswith("# Validate\nok\n<!-- layers-reconcile-plan workspace=plan-tests -->\n")
    assert "<code>summary-a</code>" in text
    assert "Made by layers-reconcile" in text


def test_format_github_places_warnings_at_the_entry_that_causes_them(
    server: EmulatorServer, tmp_path: Path
) -> None:
    seed(server, ["warn-a"])
    text = customer_yaml("warn-a").replace(
        "influencer:\n  name: Ava\n  gender: female\n", "influencer: Nobody By This Name\n"
    )
    ws = workspace(tmp_path, {"warn-a": text})
    file = ws / "customers" / "warn-a.yaml"
    line = text.splitlines().index("influencer: Nobody By This Name") + 1
    result = run_plan(server, str(ws), "--format", "github")
    assert result.exit_code == 0, result.output
    notes = [ln for ln in result.stdout.splitlines() if ln.startswith("::warning")]
    wanted = f"::warning file={file},line={line},col=1::"
    assert any(n.startswith(wanted) and "Nobody By This Name" in n for n in notes), notes
    assert "Plan:" in result.stdout
