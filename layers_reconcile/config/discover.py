"""Where PATHs become a workspace: its root, its settings file and its customer files.

Any path inside a workspace belongs to it: a file or a folder walks up to the nearest
`layers.yaml` (never past the repository's root), so `plan customers/us` plans the customers
below that folder with the workspace's settings and defaults. Below a `layers.yaml`, customer
files are the ones its `customers.include` globs match (default `customers/**/*.yaml|yml`) and
its `customers.exclude` globs do not; a folder without any `layers.yaml` is a bare folder of
customer files (every YAML file below it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from layers_reconcile.config.files import read_head
from layers_reconcile.config.globs import matches_any
from layers_reconcile.config.settings import DEFAULT_CUSTOMER_GLOBS
from layers_reconcile.config.source import Mark
from layers_reconcile.errors import NO_LINE

SETTINGS_NAMES = ("layers.yaml", "layers.yml")
YAML_SUFFIXES = (".yaml", ".yml")


def yaml_named(path: Path) -> bool:
    """A .yaml/.yml name in any case: what `apply PATH` reads as a customer file, never as a
    saved plan (so `plan --out` refuses such a name)."""
    return path.suffix.lower() in YAML_SUFFIXES


class IssueSink(Protocol):
    def add(self, mark: Mark, message: str, severity: str = "error") -> None: ...


@dataclass(frozen=True)
class Located:
    """The workspace the given paths are in, and which part of it they name."""

    root: Path
    settings_file: Path | None
    given: tuple[Path, ...]
    # The paths name less than the whole workspace (a file, a sub-folder).
    partial: bool


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding layers.yaml, not looking past the
    repository's root; `start` itself when there is none."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if any(_present(folder / name) for name in SETTINGS_NAMES):
            return start if folder == here else folder
        if (folder / ".git").exists():
            break
    return start


def settings_in(root: Path) -> list[Path]:
    return [root / name for name in SETTINGS_NAMES if _present(root / name)]


def _present(settings: Path) -> bool:
    """Anything at a settings name makes the workspace, be it a folder, a pipe or a broken link:
    reading it then says what is wrong, instead of its settings being silently dropped."""
    return os.path.lexists(settings)


def locate(paths: Sequence[Path], issues: IssueSink, display: DisplayPath) -> Located | None:
    """The one workspace of `paths`; None (and an error) when they lie in two workspaces."""
    first: tuple[Path, Path] | None = None
    partial = False
    for given in paths:
        if given.is_file() and given.name in SETTINGS_NAMES:
            root = given.parent
        else:
            root = find_root(given if given.is_dir() else given.parent)
            partial = partial or given.resolve() != root.resolve()
        if first is None:
            first = (given, root)
        elif root.resolve() != first[1].resolve():
            issues.add(
                Mark(display(given), NO_LINE, NO_LINE),
                f"is in {_whose(root, display)}, but {display(first[0])} is in "
                f"{_whose(first[1], display)}: plan one workspace at a time",
            )
            return None
    assert first is not None, "at least one path"
    root = first[1]
    found = settings_in(root)
    return Located(root, found[0] if found else None, tuple(paths), partial)


def _whose(root: Path, display: DisplayPath) -> str:
    if settings_in(root):
        return f"the workspace at {display(root)}"
    return "no workspace (no layers.yaml above it)"


class DisplayPath(Protocol):
    def __call__(self, path: Path) -> str: ...


@dataclass(frozen=True)
class Found:
    """The customer files found: `files` each file once (two paths to one file, a link, give
    the first found), in a stable order; `paths` every path found, links included (each is
    checked out: `config.case_names`)."""

    files: list[Path]
    paths: list[Path]


def customer_files(
    located: Located,
    include: Sequence[str] | None,
    exclude: Sequence[str],
    issues: IssueSink,
    display: DisplayPath,
) -> Found:
    """The customer files below the given paths (hidden folders skipped). A file named on the
    command line is a customer file whatever the globs say."""
    root = located.root
    with_settings = located.settings_file is not None
    globs = tuple(include or DEFAULT_CUSTOMER_GLOBS) if with_settings else ()
    found: dict[str, list[Path]] = {}  # the paths to each file, by where it really is
    # Resolved once for the walk (they were resolved again for every file): the root, and each
    # folder by its path. Reading a file checks again where it leads (`files.read_bytes`).
    real_root = str(root.resolve())
    folders: dict[str, str] = {}
    for given in located.given:
        if given.is_file():
            if given.name not in SETTINGS_NAMES:
                found.setdefault(_real(given), []).append(given)
            continue
        walk_from = root if given.resolve() == root.resolve() else given
        for file, folder, name in _yaml_below(
            walk_from, root, issues, display, any_suffix=bool(include)
        ):
            real_folder = folders.get(folder)
            if real_folder is None:
                real_folder = folders[folder] = str(Path(folder).resolve())
            if with_settings:
                relative = _relative(real_folder, name, real_root)
                if relative is None or _matches(relative, tuple(exclude)):
                    continue
                if not _matches(relative, globs):
                    _warn_if_customer(file, root, issues, display, None if not include else globs)
                    continue
            found.setdefault(_real_in(real_folder, name), []).append(file)
    files = sorted((paths[0] for paths in found.values()), key=lambda p: p.as_posix())
    return Found(files, [path for paths in found.values() for path in paths])


def _yaml_below(
    folder: Path, root: Path, issues: IssueSink, display: DisplayPath, *, any_suffix: bool
) -> list[tuple[Path, str, str]]:
    """The YAML files below `folder`, each with its folder (as walked) and its name."""
    out: list[tuple[Path, str, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name in SETTINGS_NAMES:
                if here.resolve() != root.resolve():
                    issues.add(
                        Mark(display(here / name), 1, 1),
                        "ignored: only the layers.yaml at the workspace root is read",
                        "warning",
                    )
                continue
            if any_suffix or name.endswith(YAML_SUFFIXES):
                out.append((here / name, dirpath, name))
    return out


PEEK_BYTES = 65_536


def _warn_if_customer(
    file: Path,
    root: Path,
    issues: IssueSink,
    display: DisplayPath,
    include: tuple[str, ...] | None,
) -> None:
    """A YAML file outside `customers.include` that names a customerExternalId is probably a
    customer file in the wrong place: say so, or its project shows up as an orphan. Only what
    would be read as a customer file is looked at (a regular file inside the workspace): a link
    out of it is never opened."""
    if not file.name.endswith(YAML_SUFFIXES):
        return
    raw = read_head(file, root, PEEK_BYTES)
    if raw is None:
        return
    head = raw.decode("utf-8", errors="replace")
    for number, line in enumerate(head.splitlines(), start=1):
        if line.startswith("customerExternalId:"):
            # `include`: the workspace's own globs (None: the default customers/**/*.yaml|yml)
            globs = "default customers/**/*.yaml|yml" if include is None else ", ".join(include)
            move = "move it under customers/ or add" if include is None else "move it or add"
            issues.add(
                Mark(display(file), number, 1),
                f"looks like a customer file, but customers.include in layers.yaml ({globs}) "
                f"does not match it, so it is not planned: {move} it to customers.include "
                "(customers.exclude silences this)",
                "warning",
            )
            return


def _real(file: Path) -> str:
    """Where a file is once its links are followed; a loop of links stays where it is (reading
    it then says so at the file, instead of a traceback)."""
    return Path(os.path.realpath(file)).as_posix()


def _real_in(real_folder: str, name: str) -> str:
    """`_real` of the file `name` in the folder whose real path is `real_folder`: only a link
    is resolved again (one `lstat`, not one for every folder above it)."""
    candidate = os.path.join(real_folder, name)
    return os.path.realpath(candidate) if os.path.islink(candidate) else candidate


def _relative(real_folder: str, name: str, real_root: str) -> str | None:
    """Where the file `name` of a folder stands below the root (both resolved), by its own
    name: a link is matched where it is, not where it points (reading it refuses a link out of
    the workspace, at its line)."""
    if real_folder == real_root:
        return name
    prefix = real_root if real_root.endswith(os.sep) else real_root + os.sep
    if not real_folder.startswith(prefix):
        return None
    return f"{real_folder[len(prefix) :]}/{name}"


def _matches(relative: str, globs: Sequence[str]) -> bool:
    return matches_any(relative, tuple(globs))
