"""Asking first, refusing unattended, applying a saved plan and refusing a stale one; the
README's main command on the embedded emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apply.local import local_emulator
from tests.apply.support import (
    EXAMPLES,
    KEY,
    Api,
    copy_workspace,
    run_cli,
    run_cli_process,
)

QUINN = "quinn-coffee-001"


def test_unattended_without_auto_approve_refuses_before_any_call(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        result = run_cli("apply", str(ws), env=emu.env())
        assert result.returncode == 1
        assert "refusing to apply unattended" in result.stderr
        assert "--auto-approve" in result.stderr
        assert emu.stats()["total"] == 0


def test_a_saved_plan_applies_and_a_stale_one_is_refused_per_customer(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    plan_file = tmp_path / "plan.json"
    with local_emulator(tmp_path) as emu:
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        assert KEY not in plan_file.read_text()
        applied = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "3 converged" in applied.stdout

        # A new plan, then two changes behind its back: Quinn's tagline edited through the API,
        # and Bluebird's file edited. Those two are refused; Acme's planned change goes ahead.
        (ws / "customers/acme-fitness.yaml").write_text(
            (ws / "customers/acme-fitness.yaml")
            .read_text()
            .replace("tagline: Train with your city.", "tagline: Your city, your run club.")
        )
        (ws / "customers/bluebird-bakery.yaml").write_text(
            (ws / "customers/bluebird-bakery.yaml")
            .read_text()
            .replace("name: Bluebird Bakery", "name: Bluebird Bakery & Cafe")
        )
        (ws / "customers/quinns-coffee.yaml").write_text(
            (ws / "customers/quinns-coffee.yaml")
            .read_text()
            .replace(
                "brandVoice: Warm, specific, lightly opinionated about beans.",
                "brandVoice: Warm and specific.",
            )
        )
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        doc = json.loads(plan_file.read_text())
        assert {c["customerExternalId"] for c in doc["customers"] if c["steps"]} == {
            "acme-fitness-003",
            "bluebird-bakery-002",
            QUINN,
        }
        api = Api(emu.url)
        project = api.project(QUINN)
        api.http.patch(
            f"/v1/projects/{project['id']}", json={"brandContext": {"tagline": "Drifted."}}
        ).raise_for_status()
        (ws / "customers/bluebird-bakery.yaml").write_text(
            (ws / "customers/bluebird-bakery.yaml").read_text().replace("& Cafe", "and Cafe")
        )

        stale = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)
        output = stale.stdout + stale.stderr
        assert stale.returncode == 1, output
        assert f"{QUINN}/brand" in output
        assert "bluebird-bakery-002 (its file changed)" in output
        assert "run plan again" in output
        assert "acme-fitness-003  converged" in output
        assert api.project("acme-fitness-003")["brandContext"]["tagline"] == (
            "Your city, your run club."
        )
        assert api.project(QUINN)["brandContext"]["tagline"] == "Drifted."  # untouched
        assert api.project("bluebird-bakery-002")["name"] == "Bluebird Bakery"
        api.close()


@pytest.mark.slow  # the README's own run: about 15 s of the embedded emulator's job time
def test_the_readme_command_converges_and_a_second_run_reports_no_changes(
    tmp_path: Path,
) -> None:
    copy_workspace(EXAMPLES, tmp_path / "examples")
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200"}
    first = run_cli_process(
        "apply", "examples", "--emulator", "--auto-approve", env=env, cwd=tmp_path
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Apply complete: 3 customers, 3 converged" in first.stdout
    assert (tmp_path / "examples/.layers-emulator/state.sqlite3").is_file()
    # the workspace is a git repo: the emulator's state ignores itself
    ignore = tmp_path / "examples/.layers-emulator/.gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"
    second = run_cli_process(
        "apply", "examples", "--emulator", "--auto-approve", env=env, cwd=tmp_path
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No changes" in second.stdout
    plan = run_cli_process(
        "--emulator", "plan", "examples", "--detailed-exitcode", env=env, cwd=tmp_path
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr
