"""Desired state: the YAML workspace, its models, validation and JSON Schema.

load_workspace(path | paths) -> Workspace  raises ConfigError listing every issue
check_workspace(path) -> Report          never raises on bad files: errors and warnings
times.resolve_at(at, tz) -> datetime     a schedule time as an aware UTC instant
"""

from layers_reconcile.config.customer_file import LoadedCustomer, fingerprint
from layers_reconcile.config.loader import Report, Workspace, check_workspace, load_workspace
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.config.source import Mark, SourceMap
from layers_reconcile.config.times import InvalidTimeError, resolve_at

__all__ = [
    "CustomerSpec",
    "InvalidTimeError",
    "LoadedCustomer",
    "Mark",
    "Report",
    "SourceMap",
    "Workspace",
    "WorkspaceSpec",
    "check_workspace",
    "fingerprint",
    "load_workspace",
    "resolve_at",
]
