"""Loading `layers.yaml`: its settings, and its `defaults:` checked on their own once (a bad
default is said at its line, not once per customer file it is merged into)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from layers_reconcile.config.apiurl import DOCUMENTED_API_HOST, api_url_problem, is_documented
from layers_reconcile.config.issues import Issues, add_all, display_path, validate
from layers_reconcile.config.merge import merge_customer
from layers_reconcile.config.messages import kind_of
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.config.source import SourceMap, read_yaml


@dataclass
class Defaults:
    data: dict[str, Any] = field(default_factory=dict)
    source: SourceMap | None = None


def load_settings(
    file: Path | None, root: Path, defaults: Defaults, issues: Issues
) -> WorkspaceSpec:
    if file is None:
        return WorkspaceSpec()
    parsed = read_yaml(file, display_path(file), root=root)
    add_all(issues, parsed.issues)
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
    settings = validate(WorkspaceSpec, data, parsed.source, issues)
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


def _check_api_url(data: dict[str, Any], source: SourceMap, issues: Issues) -> dict[str, Any]:
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


def _check_defaults(defaults: Defaults, issues: Issues) -> None:
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
    validate(CustomerSpec, merged, source, issues, skip_missing=True)
