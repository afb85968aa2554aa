"""Load a workspace: discover the files, merge defaults, validate, report every issue at once.

`check_workspace` never raises on bad input: it returns a `Report` with every error and warning,
each at a file, line and column. `load_workspace` is the strict form the other commands use.
Loading `layers.yaml` is `config.settings_file`'s, one customer file `config.customer_file`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from layers_reconcile import collector
from layers_reconcile.config.case_names import alike_but_case
from layers_reconcile.config.customer_file import LoadedCustomer, load_customer
from layers_reconcile.config.discover import SETTINGS_NAMES as SETTINGS_NAMES
from layers_reconcile.config.discover import Found, Located, locate, settings_in
from layers_reconcile.config.discover import customer_files as discover_customers
from layers_reconcile.config.issues import Discarded, Issues, display_path
from layers_reconcile.config.revision import found_in
from layers_reconcile.config.settings import CustomerFilesSpec, WorkspaceSpec
from layers_reconcile.config.settings_file import Defaults, load_settings
from layers_reconcile.config.source import Mark, read_yaml
from layers_reconcile.errors import NO_LINE, ConfigError, ConfigIssue


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: WorkspaceSpec
    customers: list[LoadedCustomer]
    warnings: list[ConfigIssue]
    settings_path: Path | None = None
    # PATH was one file or a folder below the workspace root: not the whole workspace (--prune
    # refuses it).
    partial: bool = False
    # Every customerExternalId a customer file of the whole workspace names, the files outside
    # PATH included: a project is an orphan only when none of them names it (a file renamed or
    # moved out of PATH is not). None: the ids of `customers` (PATH was the whole workspace).
    names: frozenset[str] | None = None

    @property
    def named(self) -> frozenset[str]:
        """Every customerExternalId a customer file of the whole workspace names."""
        if self.names is not None:
            return self.names
        return frozenset(c.spec.customerExternalId for c in self.customers)


@dataclass(frozen=True)
class Report:
    """Everything `validate` has to say about a workspace."""

    root: Path
    issues: list[ConfigIssue]
    files: list[str]
    workspace: Workspace | None

    @property
    def errors(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ConfigIssue]:
        return [i for i in self.issues if i.severity != "error"]


def load_workspace(
    path: Path | str | Sequence[Path | str], *, now: datetime | None = None
) -> Workspace:
    """The validated workspace at `path` (a folder, one file, or several of one workspace);
    `ConfigError` lists every error."""
    report = check_workspace(path, now=now)
    if report.errors or report.workspace is None:
        raise ConfigError(report.errors)
    return report.workspace


def check_workspace(
    path: Path | str | Sequence[Path | str], *, now: datetime | None = None
) -> Report:
    """Validate the workspace at `path` (or at several paths of one workspace), collecting every
    error and warning."""
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    issues = Issues()
    for absent in (p for p in paths if not p.exists()):
        issues.add(Mark(display_path(absent), NO_LINE, NO_LINE), "no such file or directory")
    located = None if issues.has_errors else locate(paths, issues, display_path)
    if located is None:
        return Report(paths[0], issues.sorted(), [], None)
    root = located.root
    _check_one_settings_file(root, issues)
    defaults = Defaults()
    settings = load_settings(located.settings_file, root, defaults, issues)
    chosen = settings.customers
    found = _customer_files(located, chosen, issues)
    customer_files = found.files
    _warn_when_none_found(paths, customer_files, located, chosen, issues)
    _warn_when_alike_but_case(found.paths, issues)
    customers = _load_customers(customer_files, root, defaults, now or datetime.now(UTC), issues)
    _check_organization_workspace(settings, customers, issues)
    _check_pinned_revision(settings, customers, issues)
    files = [display_path(f) for f in customer_files]
    if issues.has_errors:
        return Report(root, issues.sorted(), files, None)
    workspace = Workspace(
        root=root,
        settings=settings,
        customers=customers,
        warnings=issues.sorted(),
        settings_path=located.settings_file,
        partial=located.partial,
        names=_names_outside(located, chosen, customers) if located.partial else None,
    )
    return Report(root, issues.sorted(), files, workspace)


def _load_customers(
    files: list[Path], root: Path, defaults: Defaults, now: datetime, issues: Issues
) -> list[LoadedCustomer]:
    """The customer files that load without an error, in order; every issue goes to `issues`.

    Python's cycle collector is paused while the files load cleanly: it would otherwise scan
    every value loaded so far again and again (a fifth of the time on 1,000 files), and a clean
    file leaves no cycles for it to find. The first file that has any issue resumes it (a file
    the Python parser had to read leaves a parser's cycles behind), and so does the end."""
    customers: list[LoadedCustomer] = []
    seen_ids: dict[str, tuple[str, Mark]] = {}
    real_root = os.path.realpath(root)  # once for every file read below it
    with collector.Pause() as pause:
        for file in files:
            before = issues.count
            loaded = load_customer(file, root, defaults, now, seen_ids, issues, real_root=real_root)
            if loaded is not None:
                customers.append(loaded)
            if loaded is None or issues.count != before:
                pause.resume()
    return customers


def _check_one_settings_file(root: Path, issues: Issues) -> None:
    extra = settings_in(root)
    if len(extra) > 1:
        issues.add(
            Mark(display_path(extra[1]), 1, 1),
            f"both {SETTINGS_NAMES[0]} and {SETTINGS_NAMES[1]} exist; keep one "
            f"({SETTINGS_NAMES[0]} is read)",
        )


def _customer_files(
    located: Located, chosen: CustomerFilesSpec | None, issues: Issues | Discarded
) -> Found:
    return discover_customers(
        located,
        chosen.include if chosen else None,
        chosen.exclude_globs if chosen else (),
        issues,
        display_path,
    )


def _warn_when_none_found(
    paths: list[Path],
    customer_files: list[Path],
    located: Located,
    chosen: CustomerFilesSpec | None,
    issues: Issues,
) -> None:
    """A folder with no customer file in it is a warning (a typo in PATH or in the globs)."""
    folders = [p for p in paths if p.is_dir()]
    if not folders or customer_files:
        return
    where = ", ".join(display_path(p) for p in folders)
    hint = (
        " (customer files are customers/**/*.yaml unless layers.yaml sets customers.include)"
        if located.settings_file is not None and not (chosen and chosen.include)
        else ""
    )
    issues.add(
        Mark(display_path(paths[0]), NO_LINE, NO_LINE),
        f"no customer files found under {where}{hint}",
        "warning",
    )


def _warn_when_alike_but_case(customer_files: list[Path], issues: Issues) -> None:
    """Customer files whose paths differ only in case (`customers/Acme.yaml` and
    `customers/acme.yaml`) are one file on macOS and Windows: a checkout there keeps one and
    loses the other's customer. A warning, not an error: on Linux both load, and may be meant.
    A link among them counts too: a link `acme.yaml` to `Acme.yaml` checked out there replaces
    the file it leads to, and so leads to itself."""
    shown = {os.path.abspath(file): display_path(file) for file in customer_files}
    for group in alike_but_case(shown).values():
        names = [shown[path] for path in group]
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
        fix = "rename one of them" if len(names) == 2 else "rename all but one of them"
        issues.add(
            Mark(names[-1], 1, 1),
            f"{listed} differ only in case: macOS and Windows read them as one file, so a "
            f"checkout there keeps only one of these customers; {fix}",
            "warning",
        )


def _check_pinned_revision(
    settings: WorkspaceSpec, customers: list[LoadedCustomer], issues: Issues
) -> None:
    """Under a pinned `apiRevision`, what that revision cannot take (`config.revision`) is an
    error at its line, before any request; under `auto`, plan says so once the revision is known."""
    pinned = settings.apiRevision
    if pinned == "a" or pinned == "b":
        for found in found_in(customers, pinned):
            message = found.text(f"apiRevision: {pinned}")
            issues.add(found.mark, message, applied_to=str(found.loaded.path))


def _check_organization_workspace(
    settings: WorkspaceSpec, customers: list[LoadedCustomer], issues: Issues
) -> None:
    """A child organization is this workspace's only when stamped with its name: no name, no
    child (the tool would create children it could never tell from anyone else's)."""
    if settings.workspace:
        return
    for loaded in customers:
        if loaded.spec.organization is not None:
            issues.add(
                loaded.source.mark(("organization",), key=True),
                "a customer in a child organization needs `workspace:` in layers.yaml: the "
                "child is stamped with the workspace's name, and found again by it",
            )


def _names_outside(
    located: Located, chosen: CustomerFilesSpec | None, customers: list[LoadedCustomer]
) -> frozenset[str]:
    """The customerExternalIds of every customer file of the workspace when PATH named only part
    of it: the files inside PATH as loaded, the others only read for their id (offline; a file
    outside PATH that cannot be read or names no id names nothing, and is not reported here)."""
    whole = Located(located.root, located.settings_file, (located.root,), partial=False)
    # Real paths by os.path.realpath: Path.resolve raises on a loop of links, which is not the
    # loaded files' to report (reading it names nothing).
    inside = {os.path.realpath(c.path) for c in customers}
    files = _customer_files(whole, chosen, Discarded()).files
    names = {c.spec.customerExternalId for c in customers}
    for file in files:
        if os.path.realpath(file) in inside:
            continue
        data = read_yaml(file, display_path(file), root=located.root).data
        name = data.get("customerExternalId") if isinstance(data, dict) else None
        if isinstance(name, str) and name:
            names.add(name)
    return frozenset(names)
