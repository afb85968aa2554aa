"""Which customers a run covers: the ones a git change touches, and one shard of a CI matrix."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from layers_reconcile.config.gitdiff import Changes


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based), as `--shard I/N` says."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, customer_external_id: str) -> bool:
        """Stable across runs, machines and file order: a hash of the id, not its position."""
        digest = hashlib.sha256(customer_external_id.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


def parse_shard(text: str) -> Shard:
    """`I/N` with 1 ≤ I ≤ N; ValueError with the fix otherwise."""
    left, sep, right = text.partition("/")
    try:
        index, count = int(left), int(right)
    except ValueError:
        index = count = 0
    if not sep or not 1 <= index <= count:
        raise ValueError(f"{text!r} is not I/N with 1 ≤ I ≤ N (e.g. 1/4)")
    return Shard(index, count)


@dataclass(frozen=True)
class Touched:
    """The customers a change touches: those to plan, and those whose file is gone."""

    planned: list[str]
    deleted: list[str]
    everything: bool  # the settings file changed: its defaults reach every customer


def touched(
    customers: Sequence[tuple[str, Path]],
    changes: Changes,
    *,
    settings_changed: bool,
    named: Collection[str] = (),
) -> Touched:
    """`customers` as (customerExternalId, file) of what PATH covers, in file order; `named`:
    every customerExternalId a file of the whole workspace names. A customer whose file was
    deleted is gone only when no file names it any more (a renamed or moved file still does,
    wherever it went in the workspace)."""
    if settings_changed:
        return Touched([ext for ext, _ in customers], [], everything=True)
    planned = [ext for ext, path in customers if path.resolve() in changes.changed]
    known = {ext for ext, _ in customers} | set(named)
    deleted = sorted(ext for ext in changes.deleted_ids if ext not in known)
    return Touched(planned, deleted, everything=False)


def in_shard(ids: Iterable[str], shard: Shard | None) -> list[str]:
    return [i for i in ids if shard is None or shard.holds(i)]
