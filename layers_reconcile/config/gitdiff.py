"""What git says about a workspace: the commit it is at, and which files changed since a ref.

`git` runs as a subprocess with a timeout, one argument per path (never through a shell), with
NUL-separated output so any file name survives. Every failure is a `ReconcileError` a user can act
on: not a git work tree, an unknown ref, git missing.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from layers_reconcile.errors import ReconcileError

GIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Changes:
    """Files of the workspace that differ between a ref and the work tree (absolute paths)."""

    ref: str
    changed: frozenset[Path] = field(default_factory=frozenset)  # modified, added, renamed to
    # customerExternalId each customer file deleted (or renamed away), or edited, held at the ref:
    # gone unless some file of the workspace still names it (`config.scope.touched` decides)
    deleted_ids: frozenset[str] = field(default_factory=frozenset)


def _git(cwd: Path, *args: str, timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise ReconcileError("git is not installed (or not on PATH); it is needed here") from exc
    except subprocess.TimeoutExpired as exc:
        raise ReconcileError(f"git {args[0]} took longer than {timeout:g} s; gave up") from exc


def _folder(path: Path) -> Path:
    path = path.resolve()
    return path if path.is_dir() else path.parent


def head_commit(path: Path) -> str | None:
    """The commit the work tree at `path` is at (None outside git or before the first commit)."""
    try:
        done = _git(_folder(path), "rev-parse", "--verify", "--quiet", "HEAD^{commit}", timeout=5)
    except ReconcileError:
        return None
    text = done.stdout.decode("ascii", "replace").strip()
    return text if done.returncode == 0 and text else None


def changed_since(root: Path, ref: str, *, settings_names: tuple[str, ...]) -> tuple[Changes, bool]:
    """Files under `root` changed between the merge base of `ref` and HEAD and the work tree
    (committed, staged, unstaged or untracked), and whether a settings file (`layers.yaml`) is
    among them."""
    found = _git(_folder(root), "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        said = found.stderr.decode(errors="replace").strip().splitlines()
        why = f" (git: {said[0]})" if said and "dubious ownership" in said[0] else ""
        raise ReconcileError(
            f"--changed-since needs a git work tree, and {root} is not in one{why}; drop the "
            "option to plan every customer"
        )
    top = Path(os.fsdecode(found.stdout.strip())).resolve()
    if ref.startswith("-"):
        raise ReconcileError(f"--changed-since {ref!r} is not a git ref")
    verified = _git(
        top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    if verified.returncode != 0:
        raise ReconcileError(
            f"--changed-since: git does not know the ref {ref!r} here (in CI, fetch it first: "
            "actions/checkout with fetch-depth: 0)"
        )
    commit = merge_base(top, verified.stdout.decode("ascii").strip())
    folder = _folder(root)
    scope = os.fsdecode(folder.relative_to(top)) if folder != top else "."
    diff = _git(top, "diff", "--name-status", "--no-renames", "-z", commit, "--", scope)
    if diff.returncode != 0:
        raise ReconcileError(f"git diff failed: {diff.stderr.decode(errors='replace').strip()}")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", scope)
    fields = diff.stdout.split(b"\0")
    changed: set[Path] = set()
    deleted: set[str] = set()
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        if not name:
            continue
        rel = os.fsdecode(name)
        if not status.startswith(b"A"):  # an id edited in place leaves its old id behind too
            ext = _customer_id_at(top, commit, rel)
            if ext is not None:
                deleted.add(ext)
        if not status.startswith(b"D"):
            changed.add((top / rel).resolve())
    for name in untracked.stdout.split(b"\0"):
        if name:
            changed.add((top / os.fsdecode(name)).resolve())
    settings = any(p.name in settings_names for p in changed) or _settings_deleted(
        fields, settings_names
    )
    return Changes(ref=ref, changed=frozenset(changed), deleted_ids=frozenset(deleted)), settings


def merge_base(top: Path, commit: str) -> str:
    """Where HEAD's branch left `commit`'s history (as `git diff REF...` compares): a branch
    not rebased on main then does not show main's newer changes as its own reverts. `commit`
    itself when HEAD is missing or the histories share nothing. A shallow clone that lacks the
    merge base is an error: diffing against `commit` would show its newer changes as reverts and
    the customers it added as orphans."""
    base = _git(top, "merge-base", commit, "HEAD")
    text = base.stdout.decode("ascii", "replace").strip()
    if base.returncode == 0 and text:
        return text
    shallow = _git(top, "rev-parse", "--is-shallow-repository")
    if shallow.stdout.strip() == b"true":
        raise ReconcileError(
            "--changed-since: this is a shallow clone, and where HEAD's branch left the ref is "
            "not in its history; fetch the whole history (`git fetch --unshallow`, or "
            "actions/checkout with fetch-depth: 0)"
        )
    return commit


def _settings_deleted(fields: list[bytes], names: tuple[str, ...]) -> bool:
    return any(
        s.startswith(b"D") and os.fsdecode(n).rsplit("/", 1)[-1] in names
        for s, n in zip(fields[0::2], fields[1::2], strict=False)
    )


def _customer_id_at(top: Path, commit: str, rel: str) -> str | None:
    """The customerExternalId of the YAML file `rel` as it was at `commit`, if it had one."""
    if not rel.endswith((".yaml", ".yml")):
        return None
    shown = _git(top, "show", f"{commit}:{rel}")
    if shown.returncode != 0:
        return None
    try:
        data = YAML(typ="safe").load(shown.stdout.decode("utf-8", "replace"))
    except YAMLError:
        return None
    ext = data.get("customerExternalId") if isinstance(data, dict) else None
    return ext if isinstance(ext, str) and ext else None


@contextmanager
def staged_tree(path: Path) -> Iterator[tuple[Path, Path]]:
    """What the next commit would hold: the git index of the repository around `path`, written to
    a temporary folder (removed afterwards). Yields (the copy of the repository's top folder, the
    top folder itself); untracked files and unstaged edits are not in it."""
    found = _git(_folder(path), "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise ReconcileError(
            f"--staged checks what git is about to commit, and {path} is not in a git work tree; "
            "drop --staged to check the files as they are"
        )
    top = Path(os.fsdecode(found.stdout.strip())).resolve()
    with tempfile.TemporaryDirectory(prefix="layers-staged-") as scratch:
        copy = Path(scratch).resolve() / "index"
        copy.mkdir()
        (copy / ".git").touch()  # the workspace search stops here, as at the real top
        done = _git(top, "checkout-index", "--all", "--force", f"--prefix={copy}/")
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip()
            raise ReconcileError(f"git checkout-index failed: {said}")
        yield copy, top
