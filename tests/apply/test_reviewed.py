"""`apply --reviewed PLANFILE`: a fresh plan, of which only the steps the reviewed plan shows run;
the rest is held back as "not reviewed" (text, report, job summary) and makes apply exit 1.
A file deleted in the reviewed pull request is archived, since the review showed it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import (
    EXAMPLES,
    Api,
    copy_workspace,
    run_cli,
)

ACME = "acme-fitness-003"
BLUEBIRD = "bluebird-bakery-002"
QUINN = "quinn-coffee-001"


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_only_reviewed_steps_run_and_the_rest_is_held_back(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    reviewed = tmp_path / "reviewed.json"
    report = tmp_path / "report.md"
    summary = tmp_path / "summary.md"
    with local_emulator(tmp_path) as emu:
        done = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr

        # The pull request: Acme's tagline changes and Bluebird's file is deleted.
        edit(ws / "customers/acme-fitness.yaml", "Train with your city.", "Run with your city.")
        (ws / "customers/bluebird-bakery.yaml").unlink()
        made = run_cli("plan", str(ws), "--prune", "--out", str(reviewed), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        shown = json.loads(reviewed.read_text())
        assert {c["customerExternalId"] for c in shown["customers"] if c["steps"]} == {
            ACME,
            BLUEBIRD,
        }

        # Merged together with a change nobody reviewed: Quinn's brand voice.
        edit(
            ws / "customers/quinns-coffee.yaml",
            "brandVoice: Warm, specific, lightly opinionated about beans.",
            "brandVoice: Unreviewed.",
        )
        env = {**emu.env(), "GITHUB_STEP_SUMMARY": str(summary)}
        applied = run_cli(
            "apply", "--reviewed", str(reviewed), str(ws), "--report", str(report), env=env
        )
        output = applied.stdout + applied.stderr
        assert applied.returncode == 1, output
        assert "Not reviewed: 1 step the reviewed plan does not show" in output
        assert f"x {QUINN}/brand update" in output
        assert "Traceback" not in output

        api = Api(emu.url)
        assert api.project(ACME)["brandContext"]["tagline"] == "Run with your city."
        assert api.project(BLUEBIRD)["status"] == "archived"  # the review showed it
        quinn = api.project(QUINN)["brandContext"]
        assert quinn.get("brandVoice") == "Warm, specific, lightly opinionated about beans."
        api.close()

        for text in (report.read_text(), summary.read_text()):
            assert f"not reviewed, held back: `{QUINN}/brand update`" in text
            assert "1 step not reviewed (held back)" in text

        # Planned again and reviewed: now it runs, and nothing is held back.
        run_cli("plan", str(ws), "--prune", "--out", str(reviewed), env=emu.env())
        again = run_cli("apply", "--reviewed", str(reviewed), str(ws), env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Every step above is in the reviewed plan." in again.stdout


def test_a_reviewed_plan_of_another_workspace_or_not_a_plan_is_refused(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    other = tmp_path / "other.json"
    not_a_plan = tmp_path / "notes.json"
    not_a_plan.write_text('{"hello": 1}')
    with local_emulator(tmp_path) as emu:
        edit(ws / "layers.yaml", "workspace: ", "workspace: other-")
        assert run_cli("plan", str(ws), "--out", str(other), env=emu.env()).returncode == 0
        edit(ws / "layers.yaml", "workspace: other-", "workspace: ")
        refused = run_cli("apply", "--reviewed", str(other), str(ws), env=emu.env())
        assert refused.returncode == 1
        assert "the reviewed plan is of workspace 'other-" in refused.stderr
        bad = run_cli("apply", "--reviewed", str(not_a_plan), str(ws), env=emu.env())
        assert bad.returncode == 1
        assert "not a plan file (no formatVersion)" in bad.stderr
        assert emu.stats()["routes"].get("POST /v1/projects", 0) == 0
