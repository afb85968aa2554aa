"""What users run: the CLI as its own process against the emulator as its own process, over HTTP
on loopback. Most tests run the CLI in-process (`tests.apply.local`); these keep one real run of
each command: links, import and plan here (apply, in this process, only sets the account up);
apply and plan by test_verbose, apply also by test_options, test_resilience and the kill -9
tests; validate by tests/config/test_cli.py; the emulator's own `serve` by
tests/emulator/test_stop.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.apply.support import (
    DATA,
    KEY,
    copy_workspace,
    emulator,
    run_cli,
    run_cli_process,
)


def test_links_import_and_plan_as_processes_against_an_emulator_process(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    with emulator(tmp_path, auto_consent=False) as emu:
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = applied.stdout + applied.stderr
        assert applied.returncode == 3, output  # waits on people: their URLs are listed
        shown = set(re.findall(r"open: (\S+)", output))
        assert any(f"{emu.url}/_emulator/github/" in url for url in shown), output

        links = run_cli_process("links", str(ws), "--format", "json", env=emu.env())
        assert links.returncode == 0, links.stdout + links.stderr
        rows = json.loads(links.stdout)["links"]
        assert {row["url"] for row in rows} == shown  # the same links, reused
        assert all(row["status"] == "valid" for row in rows)

        imported = tmp_path / "imported"
        imported.mkdir()
        shutil.copy(ws / "layers.yaml", imported / "layers.yaml")
        done = run_cli_process("import", str(imported), env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1 customer file written" in done.stdout
        planned = run_cli_process("plan", str(imported), env=emu.env())
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert "No changes. 1 customer matches the files." in planned.stdout  # a round trip
        for run in (applied, links, done, planned):
            assert KEY not in run.stdout + run.stderr
