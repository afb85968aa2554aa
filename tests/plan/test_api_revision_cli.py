"""Which API revision a run speaks, as a user meets it: said in the plan's header, decided from
the whoami every run already makes, a pinned revision the API does not speak refused before any
write, and a saved plan refused against a server of the other revision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import run_cli
from tests.plan.seed import write_workspace

REV_B = ("--api-revision", "b")


def _workspace_both_revisions_take(root: Path) -> Path:
    """The seeded workspace with a content format both revisions take (`auto` has no Rev B
    route: an error at its line on Rev B)."""
    ws = write_workspace(root, "rev-ws", ["rev-one"])
    file = ws / "customers" / "rev-one.yaml"
    file.write_text(file.read_text().replace("  launch:\n", "  launch:\n    format: ugc_remix\n"))
    return ws


def _writes(stats: dict[str, Any]) -> dict[str, int]:
    return {route: n for route, n in stats["routes"].items() if not route.startswith("GET ")}


@pytest.mark.parametrize(("extra", "shown"), [((), "A"), (REV_B, "B")])
def test_the_plan_says_which_revision_it_was_made_in_and_asks_nothing_extra(
    tmp_path: Path, extra: tuple[str, ...], shown: str
) -> None:
    ws = (
        _workspace_both_revisions_take(tmp_path / "ws")
        if extra
        else write_workspace(tmp_path / "ws", "rev-ws", ["rev-one"])
    )
    with local_emulator(tmp_path, extra=extra) as emu:
        text = run_cli("plan", str(ws), env=emu.env())
        assert text.returncode == 0, text.stdout + text.stderr
        assert f"· API revision {shown}" in text.stdout.splitlines()[0]
        assert emu.stats()["routes"]["GET /v1/whoami"] == 1  # the decision costs no request
        doc = json.loads(run_cli("plan", str(ws), "--format", "json", env=emu.env()).stdout)
        assert doc["apiRevision"] == shown.lower()
        markdown = run_cli("plan", str(ws), "--format", "markdown", env=emu.env()).stdout
        assert f"API revision {shown}" in markdown.splitlines()[1]


def test_a_revision_pinned_in_layers_yaml_that_the_api_does_not_speak_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    ws = _workspace_both_revisions_take(tmp_path / "ws")
    (ws / "layers.yaml").write_text("workspace: rev-ws\nparallelism: 2\napiRevision: b\n")
    with local_emulator(tmp_path) as emu:  # Rev A
        for command in (("plan",), ("apply", "--auto-approve")):
            result = run_cli(*command, str(ws), env=emu.env())
            assert result.returncode == 1
            assert "layers.yaml:3:14: apiRevision b pins Rev B" in result.stderr
            assert "Rev A's shape" in result.stderr
            assert "Traceback" not in result.stdout + result.stderr
        assert _writes(emu.stats()) == {}
        # The command line wins over the file.
        flagged = run_cli("plan", str(ws), "--api-revision", "a", env=emu.env())
        assert flagged.returncode == 0, flagged.stderr
        assert "API revision A" in flagged.stdout


def test_a_pinned_flag_against_the_other_revision_names_the_flag(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", "rev-ws", ["rev-one"])
    with local_emulator(tmp_path, extra=REV_B) as emu:
        result = run_cli("apply", str(ws), "--auto-approve", "--api-revision", "a", env=emu.env())
        assert result.returncode == 1
        assert "--api-revision a pins Rev A, but the API answered" in result.stderr
        assert "Rev B's shape" in result.stderr
        assert _writes(emu.stats()) == {}
        imported = run_cli("import", str(tmp_path / "imp"), "--api-revision", "a", env=emu.env())
        assert imported.returncode == 1
        assert "--api-revision a pins Rev A" in imported.stderr
        assert not (tmp_path / "imp" / "customers").exists()


def test_a_saved_plan_is_refused_by_a_server_now_speaking_the_other_revision(
    tmp_path: Path,
) -> None:
    ws = _workspace_both_revisions_take(tmp_path / "ws")
    plan_file = tmp_path / "plan.json"
    emu = LocalEmulator(db=tmp_path / "b.sqlite3", extra=REV_B).start()
    try:
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stderr
        assert json.loads(plan_file.read_text())["apiRevision"] == "b"
    finally:
        emu.stop()
    emu = LocalEmulator(db=tmp_path / "a.sqlite3", url=emu.url).start()  # the same URL, now Rev A
    try:
        applied = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)
        assert applied.returncode == 1
        assert "the saved plan was made against Rev B" in applied.stderr
        assert "now answers in Rev A" in applied.stderr
        assert _writes(emu.stats()) == {}
    finally:
        emu.stop()


def test_a_reviewed_plan_made_against_the_other_revision_is_refused_before_any_write(
    tmp_path: Path,
) -> None:
    """`apply --reviewed`: the merge workflow's reviewed plan says the requests of one revision;
    against a server now speaking the other, apply refuses it whole (not step by step)."""
    ws = _workspace_both_revisions_take(tmp_path / "ws")
    plan_file = tmp_path / "reviewed.json"
    emu = LocalEmulator(db=tmp_path / "b.sqlite3", extra=REV_B).start()
    try:
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stderr
    finally:
        emu.stop()
    emu = LocalEmulator(db=tmp_path / "a.sqlite3", url=emu.url).start()  # the same URL, now Rev A
    try:
        applied = run_cli(
            "apply", str(ws), "--reviewed", str(plan_file), "--auto-approve", env=emu.env()
        )
        assert applied.returncode == 1, applied.stdout + applied.stderr
        assert "the reviewed plan was made against Rev B" in applied.stderr
        assert "now answers in Rev A" in applied.stderr
        assert "Traceback" not in applied.stderr
        assert _writes(emu.stats()) == {}
    finally:
        emu.stop()
