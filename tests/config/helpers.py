"""Shared paths and formatting for the config tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from layers_reconcile.errors import ConfigIssue

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SCHEMAS = REPO / "schemas"
CASES = Path(__file__).resolve().parent / "cases" / "invalid"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def issue_line(issue: ConfigIssue) -> str:
    """How `validate` prints an issue, without colour."""
    if issue.severity == "error":
        return str(issue)
    return f"{issue.file}:{issue.line}:{issue.col}: {issue.severity}: {issue.message}"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())
