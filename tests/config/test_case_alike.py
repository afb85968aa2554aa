"""Customer files whose paths differ only in case (`customers/Acme.yaml`, `customers/acme.yaml`)
are one file on macOS and Windows: a checkout there keeps one and silently loses the other's
customer. `validate` (and so `plan`) warns, naming both files; the exit code stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from layers_reconcile.config.case_names import alike_but_case, case_key
from tests.workspaces import write_workspace


def _customer(external_id: str) -> str:
    return f"customerExternalId: {external_id}\nproject: {{name: {external_id}}}\n"


def _workspace(root: Path) -> Path:
    """A workspace with two pairs alike but for case, and two folders alike but for case whose
    files differ (those survive a case-insensitive checkout, in one folder)."""
    named = {"Acme": "acme-1", "acme": "acme-2", "EU/x": "eu-x-1", "eu/x": "eu-x-2"}
    named |= {"EU/y": "eu-y", "eu/z": "eu-z"}
    return write_workspace(
        root, {f"{path}.yaml": _customer(ext) for path, ext in named.items()}, name="cases"
    )


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--no-color", *args], catch_exceptions=False)
    return result.exit_code, result.output


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "warning" in line and "differ" in line]


def test_validate_warns_naming_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workspace(tmp_path))
    code, output = _run("validate")
    assert code == 0, output  # a warning: Linux users may mean it
    assert _warnings(output) == [
        "customers/acme.yaml:1:1: warning: customers/Acme.yaml and customers/acme.yaml differ "
        "only in case: macOS and Windows read them as one file, so a checkout there keeps only "
        "one of these customers; rename one of them",
        "customers/eu/x.yaml:1:1: warning: customers/EU/x.yaml and customers/eu/x.yaml differ "
        "only in case: macOS and Windows read them as one file, so a checkout there keeps only "
        "one of these customers; rename one of them",
    ]
    assert output.splitlines()[-1] == "6 customers valid, 2 warnings"


def test_validate_annotates_the_pair_for_github(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_workspace(tmp_path))
    code, output = _run("validate", "--format", "github")
    assert code == 0, output
    assert output.splitlines()[0] == (
        "::warning file=customers/acme.yaml,line=1,col=1::customers/Acme.yaml and "
        "customers/acme.yaml differ only in case: macOS and Windows read them as one file, so a "
        "checkout there keeps only one of these customers; rename one of them"
    )


def test_three_alike_are_named_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workspace(tmp_path))
    (tmp_path / "customers" / "ACME.yaml").write_text(_customer("acme-3"))
    code, output = _run("validate")
    assert code == 0, output
    assert (
        "customers/acme.yaml:1:1: warning: customers/ACME.yaml, customers/Acme.yaml and "
        "customers/acme.yaml differ only in case: macOS and Windows read them as one file, so a "
        "checkout there keeps only one of these customers; rename all but one of them"
    ) in output


def test_plan_says_so_before_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_workspace(tmp_path))
    code, output = _run("plan", "--emulator")
    assert code == 0, output
    assert "customers/acme.yaml:1:1: warning: customers/Acme.yaml and customers/acme.yaml " in (
        output
    )
    assert "acme-1 · customers/Acme.yaml" in output
    assert "acme-2 · customers/acme.yaml" in output


def test_files_alike_but_case_on_another_error_still_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_workspace(tmp_path))
    (tmp_path / "customers" / "acme.yaml").write_text("customerExternalId: acme-2\n")
    code, output = _run("validate")
    assert code == 1, output
    assert "customers/acme.yaml:1:1: missing required key 'project'" in output
    assert "customers/Acme.yaml and customers/acme.yaml differ only in case" in output


def test_a_link_alike_but_case_to_its_own_file_is_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`acme.yaml` a link to `Acme.yaml`: one customer here, read once; checked out on macOS
    or Windows, the link replaces the file it leads to and leads to itself."""
    write_workspace(tmp_path, {"Acme.yaml": _customer("acme-1")}, name="cases")
    (tmp_path / "customers" / "acme.yaml").symlink_to("Acme.yaml")
    monkeypatch.chdir(tmp_path)
    code, output = _run("validate")
    assert code == 0, output
    assert _warnings(output) == [
        "customers/acme.yaml:1:1: warning: customers/Acme.yaml and customers/acme.yaml differ "
        "only in case: macOS and Windows read them as one file, so a checkout there keeps only "
        "one of these customers; rename one of them",
    ]
    assert output.splitlines()[-1] == "1 customer valid, 1 warning"


def test_the_rule_is_case_folding() -> None:
    assert case_key("customers/EU/Straße.yaml") == case_key("customers/eu/STRASSE.yaml")
    assert alike_but_case(["b/X.yaml", "a.yaml", "b/x.yaml", "A.yml", "c/x.yaml"]) == {
        "b/x.yaml": ["b/X.yaml", "b/x.yaml"]
    }
