"""Issues collected while a workspace loads, each at a file, line and column, and the model
validation that turns pydantic's errors into them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from layers_reconcile.config.locate import resolve
from layers_reconcile.config.messages import describe
from layers_reconcile.config.source import Issue, Mark, SourceMap
from layers_reconcile.errors import ConfigIssue


class Issues:
    """Issues in the order found, without repeats (a bad default shows up once, not per file)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, int, str, str], ConfigIssue] = {}
        self._error_marks: set[Mark] = set()

    @property
    def has_errors(self) -> bool:
        return bool(self._error_marks)

    @property
    def count(self) -> int:
        """How many issues so far (each said once)."""
        return len(self._items)

    def add(
        self, mark: Mark, message: str, severity: str = "error", *, applied_to: str | None = None
    ) -> None:
        """`applied_to`: the customer file whose merged document this was found in; a problem
        at a default of layers.yaml then names it, unless the defaults alone have it too."""
        if applied_to is not None and mark.file != applied_to:
            if severity == "error" and self.occupied(mark):
                return  # the defaults alone have this problem: said once, at the default
            message = f"{message} (in the defaults merged into {applied_to})"
        issue = ConfigIssue(mark.file, mark.line, mark.col, message, severity)
        self._items.setdefault((mark.file, mark.line, mark.col, message, severity), issue)
        if severity == "error":
            self._error_marks.add(mark)

    def occupied(self, mark: Mark) -> bool:
        return mark in self._error_marks

    def sorted(self) -> list[ConfigIssue]:
        return sorted(
            self._items.values(),
            key=lambda i: (i.file, i.line, i.col, i.severity != "error", i.message),
        )


class Discarded:
    """An issue sink for a second look at files whose issues are not this run's to report."""

    def add(self, mark: Mark, message: str, severity: str = "error") -> None:
        return None


def add_all(issues: Issues, found: Iterable[Issue]) -> None:
    for issue in found:
        issues.add(issue.mark, issue.message, issue.severity)


def validate(
    model: type[BaseModel],
    data: dict[str, Any],
    source: SourceMap,
    issues: Issues,
    *,
    skip_missing: bool = False,
    applied_to: str | None = None,
) -> BaseModel | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            if skip_missing and error["type"] == "missing":
                continue
            target = resolve(model, data, error["loc"])
            message, at_key = describe(error, target)
            mark = source.mark(target.path, key=at_key)
            if error["type"] == "missing" and applied_to is not None and mark.file != applied_to:
                # No default gave it (a section from the defaults lacks it): the customer
                # file is where it must be written, not the default's line.
                mark = source.root
            if not at_key and issues.occupied(mark):
                continue  # the value was already refused where it is written (a number too big)
            issues.add(mark, message, applied_to=applied_to)
        return None


def display_path(path: Path) -> str:
    """The path as the user gave it, relative to the working directory when possible."""
    if path.is_absolute():
        # `path.relative_to(Path.cwd()).as_posix()`, on the strings (both normalised already).
        text, cwd = path.as_posix(), os.getcwd()
        if text == cwd:
            return "."
        prefix = cwd if cwd.endswith("/") else cwd + "/"
        return text[len(prefix) :] if text.startswith(prefix) else text
    return Path(os.path.normpath(path)).as_posix()
