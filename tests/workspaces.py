"""Workspaces written for a test: one way for every test that needs `layers.yaml` and a few
customer files on disk."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def write_workspace(
    root: Path, files: Mapping[str, str] | None = None, *, name: str = "test", settings: str = ""
) -> Path:
    """`root` as a workspace named `name` (`settings`: more `layers.yaml` lines) holding each
    of `files`: text by path below `customers/` (sub-folders made as needed)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "layers.yaml").write_text(f"workspace: {name}\n{settings}")
    for relative, text in (files or {}).items():
        path = root / "customers" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
