"""`validate` and `schema` from the command line: through click's runner and a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from layers_reconcile.config.schema import schemas

from .helpers import CASES, EXAMPLES, REPO, SCHEMAS


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_examples_passes_with_a_summary() -> None:
    code, output = run("validate", str(EXAMPLES))
    assert code == 0, output
    assert output.splitlines()[-1].startswith("3 customers valid, ")


def test_validate_lists_every_error_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "many-errors-one-file")
    code, output = run("--no-color", "validate")
    expected = (CASES / "many-errors-one-file" / "expected.txt").read_text(encoding="utf-8")
    assert code == 1
    # a missing returnUrl is an error against a real API (validate's default)
    assert output == expected.replace(": real-api: ", ": ") + "11 errors in 1 file\n"


def test_a_missing_return_url_is_an_error_unless_the_files_are_for_the_emulator(
    tmp_path: Path,
) -> None:
    (tmp_path / "c.yaml").write_text(
        "customerExternalId: c-1\nproject: {name: C}\nsocial:\n  tiktok: {}\n"
        "github: {repo: acme/app}\n",
        encoding="utf-8",
    )
    code, output = run("--no-color", "validate", str(tmp_path))
    assert code == 1
    lines = output.splitlines()
    assert lines[0].endswith(
        "c.yaml:4:3: social.tiktok.returnUrl is missing: the customer lands "
        "there after consenting; set it here or under `defaults` in layers.yaml (only the "
        "embedded emulator, --emulator, has a default)"
    )
    assert lines[1].endswith(
        "c.yaml:5:1: github.returnUrl is missing: without installationId "
        "someone installs the GitHub App and lands there; set it here or under `defaults` in "
        "layers.yaml (only the embedded emulator, --emulator, has a default)"
    )
    assert run("validate", "--emulator", str(tmp_path)) == (0, "1 customer valid, 0 warnings\n")
    assert run("--emulator", "validate", str(tmp_path))[0] == 0


def test_validate_github_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "past-schedule-is-no-finding")
    code, output = run("validate", "--format", "github", ".")
    assert code == 1
    assert output.splitlines() == [
        "::error file=customer.yaml,line=12,col=80::'variant' must be between 1 and 5, got 7",
        "1 error in 1 file",
    ]


def test_github_annotations_escape_what_would_break_them(tmp_path: Path) -> None:
    weird = tmp_path / "a,b:c"
    weird.mkdir()
    (weird / "c.yaml").write_text("customerExternalId: 100%\n", encoding="utf-8")
    code, output = run("validate", "--format", "github", str(weird))
    assert code == 1
    assert "a%2Cb%3Ac/c.yaml,line=1,col=1::missing required key 'project'" in output


def test_validate_a_single_file_and_a_missing_path() -> None:
    code, output = run("validate", str(EXAMPLES / "customers" / "acme-fitness.yaml"))
    assert code == 0
    assert output.splitlines()[-1].startswith("1 customer valid, ")
    code, output = run("validate", str(EXAMPLES / "nope"))
    assert code == 1  # a usage error: 2 would read as "changes pending" (--detailed-exitcode)
    assert "does not exist" in output


def test_validate_an_empty_folder(tmp_path: Path) -> None:
    code, output = run("validate", str(tmp_path))
    assert code == 0
    assert output == (
        f"{tmp_path}: warning: no customer files found under {tmp_path}\n"
        f"0 customers valid, 1 warning (no customer files under {tmp_path})\n"
    )


def test_a_folder_is_annotated_by_name_not_as_a_file_line(tmp_path: Path) -> None:
    """An annotation's `file` is a file of the repository: a folder goes in the message."""
    code, output = run("validate", "--format", "github", str(tmp_path))
    assert code == 0
    assert output.splitlines()[0] == (
        f"::warning::{tmp_path}: no customer files found under {tmp_path}"
    )


def test_schema_writes_the_committed_files(tmp_path: Path) -> None:
    code, output = run("schema", "--out", str(tmp_path / "out"))
    assert code == 0, output
    for name in schemas():
        written = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert written == (SCHEMAS / name).read_text(encoding="utf-8")
    assert run("schema", "--check", "--out", str(tmp_path / "out"))[0] == 0
    (tmp_path / "out" / "customer.schema.json").write_text("{}", encoding="utf-8")
    code, output = run("schema", "--check", "--out", str(tmp_path / "out"))
    assert code == 1
    assert "customer.schema.json: out of date" in output


def test_validate_in_a_real_process() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "layers_reconcile", "validate", "examples"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "3 customers valid" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "layers_reconcile", "validate", "--format", "github"],
        cwd=CASES / "duplicate-customer-id",
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stderr == ""
    assert bad.stdout.splitlines() == [
        "::error file=customers/b-quinn-copy.yml,line=2,col=21::customerExternalId "
        "'quinn-coffee-001' is already used by customers/a-quinn.yaml (line 1); each customer "
        "needs its own",
        "1 error in 1 file",
    ]
