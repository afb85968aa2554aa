"""`layers-reconcile validate [PATH]`: check the workspace offline, listing every problem."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import click

from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.config.checks import REAL_API
from layers_reconcile.config.gitdiff import staged_tree
from layers_reconcile.config.issues import display_path
from layers_reconcile.config.loader import Report, check_workspace
from layers_reconcile.errors import ConfigIssue, ReconcileError
from layers_reconcile.render.github import annotation


@click.command()
@click.argument(
    "path",
    default=".",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="text: file:line:col: message. github: GitHub Actions annotations.",
)
@click.option(
    "--emulator",
    "use_emulator",
    is_flag=True,
    help="The files are for the embedded emulator: a missing returnUrl is fine (it has a "
    "loopback default); a real API needs one.",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Check what git is about to commit (the index), not the work tree: untracked files "
    "and unstaged edits are left out. The pre-commit hook runs this.",
)
@click.pass_context
def validate(
    ctx: click.Context, path: Path, output_format: str, use_emulator: bool, staged: bool
) -> None:
    """Check the workspace at PATH (a folder or one file) without calling the API.

    Every error is listed, each at its file, line and column. Exit 0 when valid, 1 when not.
    A missing returnUrl is an error unless --emulator says the files are for the emulator.
    """
    options = ctx.find_object(GlobalOptions) or GlobalOptions()
    try:
        checked = check_staged(path) if staged else check_workspace(path)
    except ReconcileError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(ExitCode.ERROR)
    report = for_target(checked, emulator=options.emulator or use_emulator)
    color = False if options.no_color else None
    for issue in report.issues:
        if output_format == "github":
            click.echo(github_annotation(issue), color=False)
        else:
            click.echo(text_line(issue), color=color)
    click.echo(summary(report, path), color=color)
    ctx.exit(ExitCode.ERROR if report.errors else ExitCode.OK)


def check_staged(path: Path) -> Report:
    """check_workspace over the git index: the staged copy is checked where the work tree would
    be, and every path in the report reads as it would for the work tree."""
    with staged_tree(path) as (copy, top):
        here = Path.cwd().resolve()
        if not path.resolve().is_relative_to(top):
            raise ReconcileError(f"{path} is outside the git repository at {top}")
        target = copy / path.resolve().relative_to(top)
        if not target.exists():  # untracked, or its deletion is staged: nothing to commit
            return Report(path, [], [], None)
        mirror = copy / here.relative_to(top) if here.is_relative_to(top) else here
        used = mirror if mirror.is_dir() else here
        os.chdir(used)
        try:
            report = check_workspace(target)
        finally:
            os.chdir(here)
    # Displayed paths are relative to `used` when they can be: as the work tree's, from `here`.
    shown = {str(copy): str(top)}
    if not os.path.relpath(copy, used).startswith(".."):
        shown[os.path.relpath(copy, used)] = display_path(top)

    def real(text: str) -> str:
        for fake, true in shown.items():
            text = text.replace(fake, true)
        return text

    def real_file(name: str) -> str:
        full = Path(os.path.normpath(used / name))
        return display_path(top / full.relative_to(copy)) if full.is_relative_to(copy) else name

    issues = [replace(i, file=real_file(i.file), message=real(i.message)) for i in report.issues]
    files = [real_file(f) for f in report.files]
    return Report(Path(real(str(report.root))), issues, files, report.workspace)


def for_target(report: Report, *, emulator: bool) -> Report:
    """Findings that matter only against a real API: errors there, nothing with the emulator."""
    issues = [
        replace(i, severity="error") if i.severity == REAL_API else i
        for i in report.issues
        if not (emulator and i.severity == REAL_API)
    ]
    return replace(report, issues=issues)


def text_line(issue: ConfigIssue) -> str:
    if issue.severity == "error":
        return str(issue)
    label = click.style(issue.severity, fg="yellow")
    return f"{issue.where}: {label}: {issue.message}"


def github_annotation(issue: ConfigIssue) -> str:
    """At its file and line; an issue about a folder names it in the message instead (an
    annotation's `file` is a file of the repository)."""
    level = "error" if issue.severity == "error" else "warning"
    if issue.place is None:
        return annotation(level, f"{issue.file}: {issue.message}", None)
    return annotation(level, issue.message, issue.place)


def summary(report: Report, path: Path) -> str:
    warnings = _count(len(report.warnings), "warning")
    if report.errors:
        files = {issue.file for issue in report.errors}
        text = f"{_count(len(report.errors), 'error')} in {_count(len(files), 'file')}"
        if report.warnings:
            text += f", {warnings}"
        return click.style(text, fg="red", bold=True)
    customers = len(report.workspace.customers) if report.workspace else 0
    text = f"{_count(customers, 'customer')} valid, {warnings}"
    if not report.files:
        text += f" (no customer files under {path})"
    return click.style(text, fg="green")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
