"""Golden tests: each folder under cases/invalid/ is a workspace; expected.txt holds the exact lines
`validate` prints for it (file:line:col: message). Regenerate with UPDATE_GOLDEN=1 and review."""

from __future__ import annotations

import os

import pytest

from layers_reconcile.config import check_workspace, load_workspace
from layers_reconcile.errors import ConfigError

from .helpers import CASES, NOW, case_names, issue_line


@pytest.mark.parametrize("case", case_names())
def test_invalid_case_reports_exactly_the_expected_lines(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = CASES / case
    monkeypatch.chdir(folder)
    report = check_workspace(".", now=NOW)
    actual = "".join(issue_line(issue) + "\n" for issue in report.issues)
    expected_file = folder / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert report.errors, "every case under invalid/ must have at least one error"
    assert report.workspace is None


@pytest.mark.parametrize("case", case_names())
def test_load_workspace_raises_config_error_with_every_error(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES / case)
    with pytest.raises(ConfigError) as caught:
        load_workspace(".", now=NOW)
    expected = [i for i in check_workspace(".", now=NOW).issues if i.severity == "error"]
    assert caught.value.issues == expected
    assert all(i.line >= 1 and i.col >= 1 for i in caught.value.issues)


def test_there_are_enough_cases() -> None:
    assert len(case_names()) >= 15
