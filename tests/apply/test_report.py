"""`apply --report FILE` and GITHUB_STEP_SUMMARY: per customer converged, waiting, failed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.apply.support import DATA, KEY, copy_workspace, emulator, run_cli


def test_report_lists_converged_waiting_with_links_and_failed_with_code_and_recovery(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(DATA / "failures", tmp_path / "ws")
    shutil.copy(DATA / "people" / "customers" / "bluebird.yaml", ws / "customers")
    report = tmp_path / "report.md"
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    with emulator(tmp_path, auto_consent=False) as emu:
        env = {**emu.env(), "GITHUB_STEP_SUMMARY": str(summary)}
        result = run_cli("apply", str(ws), "--auto-approve", "--report", str(report), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    text = report.read_text()
    assert text.startswith("<!-- layers-reconcile-apply workspace=failures-test -->\n")
    assert "1 converged, 1 waiting on people, 3 failed" in text
    failed = text[text.index("#### Failed (3)") : text.index("#### Waiting on people")]
    assert "`no-sdk-020`" in failed
    assert "code `SDK_PATCH_GENERATION_FAILED`" in failed
    assert "requestId `req_" in failed
    assert "what to do: " in failed
    assert "github.platforms" in failed
    waiting = text[text.index("#### Waiting on people (1)") : text.index("#### Converged")]
    assert "`bluebird-labs-010`" in waiting
    assert "[github_install](http" in waiting
    assert "`fine-023`" in text[text.index("#### Converged (1)") :]
    assert KEY not in text
    # The job summary keeps what earlier steps wrote and gets the same report.
    assert summary.read_text() == "earlier step\n" + text + "\n"
