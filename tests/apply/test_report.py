"""`apply --report FILE` and GITHUB_STEP_SUMMARY: per customer converged, waiting, failed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import (
    DATA,
    KEY,
    copy_workspace,
    run_cli,
)


def test_report_lists_converged_waiting_with_links_and_failed_with_code_and_recovery(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(DATA / "failures", tmp_path / "ws")
    shutil.copy(DATA / "people" / "customers" / "bluebird.yaml", ws / "customers")
    report = tmp_path / "report.md"
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    with local_emulator(tmp_path, auto_consent=False) as emu:
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


def test_apply_of_a_few_customers_says_how_many_others_were_unchanged(tmp_path: Path) -> None:
    """Issue 14.5: "Apply complete: 7 customers" in a workspace of 20 read as the whole of it."""
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: counted\n")
    for i in range(5):
        (ws / "customers" / f"u-{i}.yaml").write_text(
            f"customerExternalId: u-{i}\nproject:\n  name: Customer {i}\n"
        )
    report = tmp_path / "report.md"
    with local_emulator(tmp_path) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Apply complete: 5 customers, 5 converged" in first.stdout
        assert "other customers" not in first.stdout
        for i in (1, 3):
            file = ws / "customers" / f"u-{i}.yaml"
            file.write_text(file.read_text().replace("name: Customer", "name: Renamed"))
        again = run_cli("apply", str(ws), "--auto-approve", "--report", str(report), env=emu.env())
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "Apply complete: 2 customers, 2 converged, 2 steps applied, in "
        in again.stdout.splitlines()[-1]
    )
    assert again.stdout.rstrip().endswith(" 3 other customers unchanged.")
    assert "3 other customers unchanged." in report.read_text().splitlines()[3]
