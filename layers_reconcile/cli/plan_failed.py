"""`plan --format markdown` that fails still prints a markdown part: the plan failed, why, at
which commit, under the workspace's marker. CI posts it like any plan, so the pull request's
comment never keeps showing the last plan that worked as if it were current."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import click

from layers_reconcile.cli.common import FAILURE_HOOK
from layers_reconcile.config.discover import find_root, settings_in
from layers_reconcile.config.files import read_bytes
from layers_reconcile.config.gitdiff import head_commit

_NAME = re.compile(r"""^workspace:\s*["']?([^"'\s#]+)""", re.MULTILINE)


def on_failure(ctx: click.Context, paths: Sequence[Path] | None) -> None:
    """From now on, a failure of this command prints the failure part on stdout (None: stop)."""
    if paths is None:
        ctx.meta.pop(FAILURE_HOOK, None)
        return
    given = list(paths)

    def show(message: str) -> None:
        from layers_reconcile.render.markdown import render_failure

        commit = head_commit(given[0])
        click.echo(render_failure(workspace_name(given[0]), commit, message), nl=False)

    ctx.meta[FAILURE_HOOK] = show


def workspace_name(path: Path) -> str | None:
    """`workspace:` of the layers.yaml above `path`, read leniently: the file may be the very
    thing that failed to load."""
    start = path.resolve()
    root = find_root(start if start.is_dir() else start.parent)
    found = settings_in(root)
    if not found:
        return None
    # Read as any workspace file is: a regular file inside the workspace, within the size cap.
    raw, _why = read_bytes(found[0], root)
    text = raw.decode("utf-8", "replace") if raw is not None else ""
    match = _NAME.search(text)
    return match.group(1) if match else None
