"""Global options shared by every command, resolved once at the top of the group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from layers_reconcile.apirevision import RevisionSetting

if TYPE_CHECKING:  # imported by the command that runs (main.py stays light for --help)
    from layers_reconcile.cli.common import Runtime


@dataclass(frozen=True)
class GlobalOptions:
    api_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    emulator: bool = False
    customers: tuple[str, ...] = ()
    parallelism: int | None = None
    no_color: bool = False
    verbose: int = 0
    # A command's --api-revision (None: layers.yaml's apiRevision, else auto).
    api_revision: RevisionSetting | None = None
    # The clock, sleep and transport commands run on; None: the system's. Not an option: only
    # a caller in Python hands one in, as the group's `obj` (a test's in-process run).
    runtime: Runtime | None = None

    def __repr__(self) -> str:
        key = "<set>" if self.api_key else None
        return (
            f"GlobalOptions(api_url={self.api_url!r}, api_key={key!r}, emulator={self.emulator}, "
            f"customers={self.customers!r}, parallelism={self.parallelism}, "
            f"no_color={self.no_color}, verbose={self.verbose})"
        )
