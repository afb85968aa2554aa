"""What one plan or apply run covers and may do: computed once from the command line (by
`cli/scope.py::resolve_scope`), then handed to planning and to apply unchanged."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from layers_reconcile.config.scope import Shard

# Projects --prune archives in one run unless raised (a copied workspace must not empty an account).
DEFAULT_PRUNE_CAP = 10


class _All:
    """Every project of the account is an orphan candidate (a whole-workspace plan)."""


ALL = _All()
Candidates = _All | frozenset[str] | None


@dataclass(frozen=True)
class RunScope:
    """The customers a run covers and what it may do to projects that are not plainly its own."""

    # The customers to plan (--customer, or what --changed-since / --shard picked); () = every
    # customer of the files loaded.
    customers: tuple[str, ...] = ()
    picked: tuple[str, ...] = ()  # the --customer ids given (--prune refuses them)
    # PATH was one file or a folder below the workspace root: the files outside are not known.
    partial: bool = False
    # The customers of the files deleted since the ref (None: the usual orphans).
    orphans_of: tuple[str, ...] | None = None
    changed_since: str | None = None
    skipped: int | None = None  # customers --changed-since left out
    shard: Shard | None = None
    everything: bool = False  # layers.yaml changed: the whole workspace, as without a filter
    whole_shard: bool = False  # a shard of the whole workspace: it lists its share of orphans
    settings_changed: bool = False  # layers.yaml changed since the ref: every customer planned
    prune: bool = False
    prune_cap: int = DEFAULT_PRUNE_CAP
    take_over: str | None = None  # the workspace whose stamped projects this run may adopt
    root: str | None = None  # what a saved plan records as its root

    @property
    def orphans_in(self) -> Callable[[str], bool] | None:
        """The orphans this shard lists (None: not a shard of everything)."""
        return self.shard.holds if self.whole_shard and self.shard is not None else None

    @property
    def whole(self) -> bool:
        """The whole workspace, unfiltered: one projects-list read finds every orphan."""
        return not self.customers and not self.partial

    @property
    def empty(self) -> bool:
        """Nothing to plan at all: a filtered selection that selected nobody."""
        filtered = self.changed_since is not None or self.shard is not None
        # A shard with no customer file may still hold orphans.
        return filtered and not self.customers and not self.everything and not self.whole_shard

    @property
    def rate_share(self) -> float:
        return 1.0 / self.shard.count if self.shard else 1.0

    @property
    def apply_customers(self) -> tuple[str, ...]:
        """The customers apply works on: a shard's plan holds just its customers and its orphans
        (whose files are gone), so all of it."""
        return () if self.whole_shard else self.customers

    def orphan_candidates(self, workspace_name: str | None, named: Collection[str]) -> Candidates:
        """Which customerExternalIds may be orphans (ALL: every project of the account); None:
        orphans are not looked for. `named`: every id a file of the whole workspace names."""
        if not workspace_name:
            return None  # only a named workspace stamps its projects with a name to find them by
        if self.orphans_of is not None:
            return frozenset(self.orphans_of) - frozenset(named)
        if self.orphans_in is not None and not self.partial:
            return ALL  # a shard of everything: its share of every orphan
        if self.customers:
            # --customer without a file: --prune
            return frozenset(self.customers) - frozenset(named) or None
        if self.partial:
            return None  # a sub-folder or one file: the files outside it are not known here
        return ALL
