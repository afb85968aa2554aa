"""Load a workspace: discover the files, merge defaults, validate, report every issue at once.

`check_workspace` never raises on bad input: it returns a `Report` with every error and warning,
each at a file, line and column. `load_workspace` is the strict form the other commands use.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.apiurl import DOCUMENTED_API_HOST, api_url_problem, is_documented
from layers_reconcile.config.checks import check_customer
from layers_reconcile.config.discover import SETTINGS_NAMES as SETTINGS_NAMES
from layers_reconcile.config.discover import Located, locate, settings_in
from layers_reconcile.config.discover import customer_files as discover_customers
from layers_reconcile.config.fieldtypes import hidden_character
from layers_reconcile.config.generation import revision_notes
from layers_reconcile.config.ignore import unknown_key
from layers_reconcile.config.locate import resolve
from layers_reconcile.config.merge import merge_customer
from layers_reconcile.config.messages import describe, kind_of
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.revision import unsupported_fields
from layers_reconcile.config.settings import CustomerFilesSpec, WorkspaceSpec
from layers_reconcile.config.source import Issue, Mark, SourceMap, read_yaml
from layers_reconcile.errors import ConfigError, ConfigIssue
from layers_reconcile.ids import body_hash


@dataclass(frozen=True)
class LoadedCustomer:
    """One customer file, validated, with the workspace defaults merged in."""

    spec: CustomerSpec
    path: Path
    fingerprint: str
    source: SourceMap = field(repr=False, compare=False)


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
    given = paths[0]
    issues = _Issues()
    missing = [p for p in paths if not p.exists()]
    for absent in missing:
        issues.add(Mark(display_path(absent), 1, 1), "no such file or directory")
    if missing:
        return Report(given, issues.sorted(), [], None)
    located = locate(paths, issues, display_path)
    if located is None:
        return Report(given, issues.sorted(), [], None)
    root, settings_file = located.root, located.settings_file
    extra = settings_in(root)
    if len(extra) > 1:
        issues.add(
            Mark(display_path(extra[1]), 1, 1),
            f"both {SETTINGS_NAMES[0]} and {SETTINGS_NAMES[1]} exist; keep one "
            f"({SETTINGS_NAMES[0]} is read)",
        )
    defaults = _Defaults()
    settings = _load_settings(settings_file, root, defaults, issues)
    chosen = settings.customers
    customer_files = discover_customers(
        located,
        chosen.include if chosen else None,
        chosen.exclude_globs if chosen else (),
        issues,
        display_path,
    )
    folders = [p for p in paths if p.is_dir()]
    if folders and not customer_files:
        where = ", ".join(display_path(p) for p in folders)
        hint = (
            " (customer files are customers/**/*.yaml unless layers.yaml sets customers.include)"
            if settings_file is not None and not (chosen and chosen.include)
            else ""
        )
        issues.add(
            Mark(display_path(given), 1, 1),
            f"no customer files found under {where}{hint}",
            "warning",
        )
    moment = now or datetime.now(UTC)
    customers: list[LoadedCustomer] = []
    seen_ids: dict[str, tuple[str, Mark]] = {}
    for file in customer_files:
        loaded = _load_customer(file, root, defaults, moment, seen_ids, issues)
        if loaded is not None:
            customers.append(loaded)
            _check_revision(loaded, settings, issues)
    _check_organization_workspace(settings, customers, issues)
    files = [display_path(f) for f in customer_files]
    pinned = settings.apiRevision
    if pinned == "a" or pinned == "b":  # what the pinned revision cannot take: refused offline
        for loaded in customers:
            for issue in unsupported_fields(loaded.spec, loaded.source, str(loaded.path), pinned):
                issues.add(Mark(issue.file, issue.line, issue.col), issue.message)
    if issues.has_errors:
        return Report(root, issues.sorted(), files, None)
    workspace = Workspace(
        root=root,
        settings=settings,
        customers=customers,
        warnings=issues.sorted(),
        settings_path=settings_file,
        partial=located.partial,
        names=_names_outside(located, chosen, customers) if located.partial else None,
    )
    return Report(root, issues.sorted(), files, workspace)


def _check_organization_workspace(
    settings: WorkspaceSpec, customers: list[LoadedCustomer], issues: _Issues
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


def _check_revision(loaded: LoadedCustomer, settings: WorkspaceSpec, issues: _Issues) -> None:
    """Under a pinned `apiRevision`, a content field that revision does not take (or cannot do
    without) is an error at its line; under `auto`, plan says so once the revision is known."""
    pinned = settings.apiRevision
    if pinned == "a" or pinned == "b":
        for mark, message in _revision_marks(loaded, pinned, pinned=True):
            issues.add(mark, f"{message} (apiRevision: {pinned})", applied_to=str(loaded.path))


def revision_issues(
    customers: Iterable[LoadedCustomer], revision: ApiRevision, *, pinned_by: str | None = None
) -> list[ConfigIssue]:
    """What the customers' content entries ask that no request of `revision` can carry out
    (`format: auto` on Rev B, a remix without its source post, …), at their lines: found once
    the run knows the revision, before anything is sent. `pinned_by` (`--api-revision b`): the
    run pins it, so what the revision does not take is an error too."""
    why = f"pinned by {pinned_by}" if pinned_by else f"the API speaks Rev {revision.upper()}"
    return [
        ConfigIssue(mark.file, mark.line, mark.col, f"{message} ({why})")
        for loaded in customers
        for mark, message in _revision_marks(loaded, revision, pinned=pinned_by is not None)
    ]


def _revision_marks(
    loaded: LoadedCustomer, revision: ApiRevision, *, pinned: bool
) -> list[tuple[Mark, str]]:
    return [
        (loaded.source.mark(note.path, key=True), note.message)
        for note in revision_notes(loaded.spec, revision, pinned=pinned)
    ]


def _names_outside(
    located: Located, chosen: CustomerFilesSpec | None, customers: list[LoadedCustomer]
) -> frozenset[str]:
    """The customerExternalIds of every customer file of the workspace when PATH named only part
    of it: the files inside PATH as loaded, the others only read for their id (offline; a file
    outside PATH that cannot be read or names no id names nothing, and is not reported here)."""
    whole = Located(located.root, located.settings_file, (located.root,), partial=False)
    inside = {c.path.resolve() for c in customers}
    files = discover_customers(
        whole,
        chosen.include if chosen else None,
        chosen.exclude_globs if chosen else (),
        _Discarded(),
        display_path,
    )
    names = {c.spec.customerExternalId for c in customers}
    for file in files:
        if file.resolve() in inside:
            continue
        data = read_yaml(file, display_path(file), root=located.root).data
        name = data.get("customerExternalId") if isinstance(data, dict) else None
        if isinstance(name, str) and name:
            names.add(name)
    return frozenset(names)


class _Discarded:
    """An issue sink for a second look at files whose issues are not this run's to report."""

    def add(self, mark: Mark, message: str, severity: str = "error") -> None:
        return None


def display_path(path: Path) -> str:
    """The path as the user gave it, relative to the working directory when possible."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def fingerprint(spec: BaseModel) -> str:
    """sha256 of the fields the file manages, in a canonical JSON form."""
    return body_hash(spec.model_dump(mode="json", exclude_unset=True))


class _Issues:
    """Issues in the order found, without repeats (a bad default shows up once, not per file)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, int, str, str], ConfigIssue] = {}
        self._error_marks: set[Mark] = set()

    @property
    def has_errors(self) -> bool:
        return bool(self._error_marks)

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


@dataclass
class _Defaults:
    data: dict[str, Any] = field(default_factory=dict)
    source: SourceMap | None = None


def _load_settings(
    file: Path | None, root: Path, defaults: _Defaults, issues: _Issues
) -> WorkspaceSpec:
    if file is None:
        return WorkspaceSpec()
    parsed = read_yaml(file, display_path(file), root=root)
    _add_all(issues, parsed.issues)
    data = parsed.data
    if data is None:
        return WorkspaceSpec()
    if not isinstance(data, dict):
        issues.add(
            parsed.source.root,
            f"{file.name} must be a mapping of settings (workspace, apiUrl, parallelism, customers, "
            f"defaults), got {kind_of(data)}",
        )
        return WorkspaceSpec()
    data = _check_api_url(data, parsed.source, issues)
    if "ignore" in data:  # a customer key: for every customer it goes under `defaults`
        issues.add(
            parsed.source.mark(("ignore",), key=True),
            "'ignore' belongs under 'defaults' in layers.yaml (defaults: {ignore: [...]}), "
            "or in a customer file",
        )
        data = {k: v for k, v in data.items() if k != "ignore"}
    settings = _validate(WorkspaceSpec, data, parsed.source, issues)
    raw_defaults = data.get("defaults")
    if isinstance(raw_defaults, dict):
        defaults.data = dict(raw_defaults)
        defaults.source = parsed.source
        if "customerExternalId" in defaults.data:
            del defaults.data["customerExternalId"]
            issues.add(
                parsed.source.mark(("defaults", "customerExternalId"), key=True),
                "customerExternalId cannot have a default: it is each customer's identity",
            )
        _check_defaults(defaults, issues)
    return settings if isinstance(settings, WorkspaceSpec) else WorkspaceSpec()


def _check_api_url(data: dict[str, Any], source: SourceMap, issues: _Issues) -> dict[str, Any]:
    """`apiUrl` decides where the key goes, and anyone can change it in a pull request: refuse
    what would leak the key, point out a host that is not the documented one. The data without
    a refused `apiUrl`, so that no other message quotes it."""
    url = data.get("apiUrl")
    if not isinstance(url, str):
        return data
    mark = source.mark(("apiUrl",))
    problem = api_url_problem(url)
    if problem is not None:
        issues.add(mark, f"apiUrl {problem}")
        return {k: v for k, v in data.items() if k != "apiUrl"}
    if not is_documented(url):
        issues.add(
            mark,
            f"apiUrl sends the API key to {url.strip()}, not the documented API host "
            f"{DOCUMENTED_API_HOST}; make sure this change is wanted (CI should pin --api-url)",
            "warning",
        )
    return data


def _check_defaults(defaults: _Defaults, issues: _Issues) -> None:
    """Validate the defaults on their own, under a stand-in customer, ignoring what is missing."""
    assert defaults.source is not None
    anchor = defaults.source.mark(("defaults",), key=True)
    stand_in = {"customerExternalId": "defaults", "project": {"name": "defaults"}}
    merged, source = merge_customer(
        defaults.data,
        defaults.source,
        ("defaults",),
        stand_in,
        SourceMap(anchor),
        every_section=True,
    )
    _validate(CustomerSpec, merged, source, issues, skip_missing=True)


def _load_customer(
    file: Path,
    root: Path,
    defaults: _Defaults,
    now: datetime,
    seen_ids: dict[str, tuple[str, Mark]],
    issues: _Issues,
) -> LoadedCustomer | None:
    display = display_path(file)
    parsed = read_yaml(file, display, root=root)
    _add_all(issues, parsed.issues)
    failed = bool(parsed.issues)
    if parsed.empty or (parsed.data is None and not parsed.issues):
        issues.add(
            parsed.source.root,
            "the file is empty; a customer file needs at least customerExternalId and project.name",
        )
        return None
    data = parsed.data
    if data is None:
        return None
    if not isinstance(data, dict):
        issues.add(
            parsed.source.root,
            f"a customer file must be a mapping of keys (customerExternalId, project, ...), "
            f"got {kind_of(data)}",
        )
        return None
    merged, source = merge_customer(
        defaults.data, defaults.source, ("defaults",), data, parsed.source
    )
    spec = _validate(CustomerSpec, merged, source, issues, applied_to=display)
    failed = failed or spec is None
    for finding in check_customer(merged, now=now):
        mark = source.mark(finding.path, key=finding.at_key)
        if finding.severity == "error":
            failed = True
            if issues.occupied(mark):
                continue
        issues.add(mark, finding.message, finding.severity, applied_to=display)
    failed = _check_ignored_keys(merged, source, display, issues) or failed
    external_id = merged.get("customerExternalId")
    if isinstance(external_id, str) and hidden_character(external_id) is None:
        mark = source.mark(("customerExternalId",))
        failed = _duplicate_id(external_id, mark, seen_ids, issues) or failed
    if failed or not isinstance(spec, CustomerSpec):
        return None
    return LoadedCustomer(spec, Path(display), fingerprint(spec), source)


def _duplicate_id(
    external_id: str, mark: Mark, seen_ids: dict[str, tuple[str, Mark]], issues: _Issues
) -> bool:
    """Whether another file already has this customerExternalId. Ids that differ only in how
    Unicode spells them (`café` as one code point or as `e` and an accent) print alike but name
    two projects: that is reported at both files."""
    normal = unicodedata.normalize("NFC", external_id)
    written, first = seen_ids.setdefault(normal, (external_id, mark))
    if first is mark:
        return False
    if written == external_id:
        issues.add(
            mark,
            f"customerExternalId '{external_id}' is already used by {first.file} "
            f"(line {first.line}); each customer needs its own",
        )
        return True
    for here, there in ((mark, first), (first, mark)):
        issues.add(
            here,
            f"customerExternalId '{normal}' is also in {there.file} (line {there.line}), spelt "
            "with other Unicode code points: the two print alike but would be two projects; "
            "type the id again in one of them (or give each its own)",
        )
    return True


def _check_ignored_keys(
    merged: dict[str, Any], source: SourceMap, display: str, issues: _Issues
) -> bool:
    """The file's own `ignore:` paths name keys it has (the defaults' ones serve many files)."""
    paths = merged.get("ignore")
    failed = False
    for index, path in enumerate(paths if isinstance(paths, list) else []):
        mark = source.mark(("ignore", index))
        if not isinstance(path, str) or mark.file != display or issues.occupied(mark):
            continue
        problem = unknown_key(path, merged)
        if problem is not None:
            failed = True
            issues.add(mark, problem)
    return failed


def _validate(
    model: type[BaseModel],
    data: dict[str, Any],
    source: SourceMap,
    issues: _Issues,
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


def _add_all(issues: _Issues, found: Iterable[Issue]) -> None:
    for issue in found:
        issues.add(issue.mark, issue.message, issue.severity)
