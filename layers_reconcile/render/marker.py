"""The hidden first line of every comment the tool posts: which kind (plan, apply report) and of
which workspace, so two workspaces in one repository keep two comments and `github comment`
finds its own again on the next push."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def comment_marker(kind: str, workspace: str | None) -> str:
    """`<!-- layers-reconcile-KIND workspace=NAME -->` (no `workspace=` when it has no name)."""
    if not workspace:
        return f"<!-- layers-reconcile-{kind} -->"
    return f"<!-- layers-reconcile-{kind} workspace={_UNSAFE.sub('_', workspace)} -->"
