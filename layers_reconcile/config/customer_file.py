"""Loading one customer file: parsed, merged over the defaults, validated and checked across
fields, its id unique in the workspace."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from layers_reconcile.config.checks import check_customer
from layers_reconcile.config.fieldtypes import hidden_character
from layers_reconcile.config.ignore import unknown_key
from layers_reconcile.config.issues import Issues, add_all, display_path, validate
from layers_reconcile.config.merge import merge_customer
from layers_reconcile.config.messages import kind_of
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.settings_file import Defaults
from layers_reconcile.config.source import Mark, SourceMap, read_yaml
from layers_reconcile.ids import body_hash


@dataclass(frozen=True)
class LoadedCustomer:
    """One customer file, validated, with the workspace defaults merged in."""

    spec: CustomerSpec
    path: Path
    fingerprint: str
    source: SourceMap = field(repr=False, compare=False)


def load_customer(
    file: Path,
    root: Path,
    defaults: Defaults,
    now: datetime,
    seen_ids: dict[str, tuple[str, Mark]],
    issues: Issues,
    *,
    real_root: str | None = None,
) -> LoadedCustomer | None:
    """`real_root`: `os.path.realpath(root)`, when the caller has it (`files.read_bytes`)."""
    display = display_path(file)
    parsed = read_yaml(file, display, root=root, real_root=real_root)
    add_all(issues, parsed.issues)
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
    spec = validate(CustomerSpec, merged, source, issues, applied_to=display)
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


def fingerprint(spec: BaseModel) -> str:
    """sha256 of the fields the file manages, in a canonical JSON form."""
    return body_hash(spec.model_dump(mode="json", exclude_unset=True))


def _duplicate_id(
    external_id: str, mark: Mark, seen_ids: dict[str, tuple[str, Mark]], issues: Issues
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
    merged: dict[str, Any], source: SourceMap, display: str, issues: Issues
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
