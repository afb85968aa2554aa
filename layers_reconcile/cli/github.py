"""`layers-reconcile github comment|drift`: what the CI workflows post to GitHub.

    layers-reconcile github comment --repo O/R --pr N plan.md     # the PR's plan, updated in place
    layers-reconcile github drift --repo O/R --exit-code 2 plan.md  # the one open drift issue

Both read GITHUB_TOKEN and GITHUB_API_URL (set by GitHub Actions).
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import click

from layers_reconcile.cli.common import fail, make_console, options_of
from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.cli.github_api import (
    DEFAULT_API_URL,
    GitHub,
    by_marker,
    check_repo,
    marker_of,
    split_parts,
)
from layers_reconcile.config.apiurl import api_url_problem
from layers_reconcile.config.files import read_bytes
from layers_reconcile.errors import ReconcileError
from layers_reconcile.render.marker import comment_marker

DRIFT_MARKER = comment_marker("drift", None)
MAX_MARKDOWN_BYTES = 64 * 1024 * 1024  # as a plan file: far more than GitHub takes
_WORKSPACE = re.compile(r" workspace=(\S+) -->$")


def _client() -> GitHub:
    api_url = os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL
    problem = api_url_problem(api_url, secret="the token", home="GITHUB_TOKEN")
    if problem is not None:
        raise ReconcileError(f"GITHUB_API_URL {problem}")
    return GitHub(api_url, os.environ.get("GITHUB_TOKEN", ""))


def _repo(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    value = value or os.environ.get("GITHUB_REPOSITORY")
    if not value:
        raise click.BadParameter("give OWNER/NAME (or set GITHUB_REPOSITORY)", ctx, param)
    try:
        return check_repo(value)
    except ReconcileError as exc:
        raise click.BadParameter(str(exc), ctx, param) from exc


def _read(files: tuple[Path, ...]) -> str:
    """The markdown of `files`, read as regular files only (a named pipe is refused, never
    waited on), each at most `MAX_MARKDOWN_BYTES`."""
    texts = []
    for file in files:
        raw, why = read_bytes(file, None, limit=MAX_MARKDOWN_BYTES)
        if raw is None:
            raise ReconcileError(f"cannot read the markdown to post from {file}: {why}")
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ReconcileError(f"cannot read the markdown to post from {file}: {exc}") from exc
    return "".join(texts)


@click.group()
def github() -> None:
    """Post plans and apply reports to GitHub from CI (uses GITHUB_TOKEN)."""


@github.command()
@click.option("--repo", callback=_repo, help="OWNER/NAME (default: GITHUB_REPOSITORY).")
@click.option("--pr", "number", type=click.IntRange(min=1), required=True, help="The PR number.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def comment(ctx: click.Context, repo: str, number: int, files: tuple[Path, ...]) -> None:
    """Make the PR's comments match FILES (markdown of `plan --format markdown` or `apply
    --report`): one comment per part, updated in place, surplus parts deleted.

    Comments are found by the hidden marker on the first line of each part, so the plan and the
    apply report, and each workspace, keep separate comments (also when given in one call).
    """
    errors = make_console(options_of(ctx), stderr=True)
    try:
        groups = by_marker(split_parts(_read(files))) or [[]]

        async def post() -> list[str]:
            async with _client() as gh:
                return [str(await gh.upsert_comments(repo, number, parts)) for parts in groups]

        done = asyncio.run(post())
    except ReconcileError as exc:
        fail(ctx, errors, exc)
    for outcome in done:
        click.echo(f"{repo}#{number}: {outcome}")


@github.command()
@click.option("--repo", callback=_repo, help="OWNER/NAME (default: GITHUB_REPOSITORY).")
@click.option(
    "--exit-code",
    "code_text",
    metavar="CODE",
    required=True,
    help="The exit code of `plan --detailed-exitcode`: 0 in sync, 2 drift, 3 waits on people.",
)
@click.option("--label", default="layers-drift", show_default=True, help="Label of the issue.")
@click.option(
    "--title",
    default="layers-reconcile: Layers has drifted from git",
    show_default=True,
    help="Title of the issue.",
)
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def drift(
    ctx: click.Context, repo: str, code_text: str, label: str, title: str, files: tuple[Path, ...]
) -> None:
    """Open, update or close the one drift issue from a nightly plan's exit code and markdown.

    2 opens or updates it with the plan; 0 (and 3: nothing for apply to do, only people to act)
    closes it. 1 (the plan failed) changes nothing: the failed job says so.
    """
    errors = make_console(options_of(ctx), stderr=True)
    try:
        code = int(code_text.strip())
    except ValueError:
        fail(
            ctx,
            errors,
            ReconcileError(
                f"--exit-code {code_text!r} is not the exit code of `plan --detailed-exitcode` "
                "(0, 1, 2 or 3): the plan step did not record it; see that step's log"
            ),
        )
    if code not in (ExitCode.OK, ExitCode.CHANGES, ExitCode.WAITING):
        click.echo(f"plan exited {code} (an error): the drift issue is left as it is", err=True)
        ctx.exit(ExitCode.OK)
    try:
        parts = split_parts(_read(files)) if files else []
        run = _run_link()
        intro = "The nightly `layers-reconcile plan` found changes that `apply` would make."
        more = (
            f"\n\n_{len(parts) - 1} more part(s) in the run's summary._" if len(parts) > 1 else ""
        )
        body = "\n".join(
            [drift_marker(parts), intro + (f" ([run]({run}))" if run else ""), "", *parts[:1]]
        )
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        why = "nothing left to apply; only people to act" if code == ExitCode.WAITING else "in sync"
        note = f"{why.capitalize()} again as of {when}" + (f" ([run]({run}))" if run else "") + "."

        async def post() -> str:
            async with _client() as gh:
                return await gh.drift_issue(
                    repo,
                    drifted=code == ExitCode.CHANGES,
                    body=body + more,
                    title=title,
                    label=label,
                    closing_note=note,
                )

        done = asyncio.run(post())
    except ReconcileError as exc:
        fail(ctx, errors, exc)
    click.echo(f"{repo}: {done}")


def drift_marker(parts: list[str]) -> str:
    """The drift issue's marker: of the workspace the plan's own marker names (two workspaces in
    one repository keep two drift issues), else the unnamed one."""
    found = _WORKSPACE.search(marker_of(parts[0])) if parts else None
    return comment_marker("drift", found.group(1) if found else None)


def _run_link() -> str | None:
    server, repo, run = (
        os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None
