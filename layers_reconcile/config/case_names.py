"""Paths a case-insensitive file system (macOS, Windows) reads as one: `Acme.yaml` and
`acme.yaml`, `customers/EU/x.yaml` and `customers/eu/x.yaml`. There, writing or checking out
the second replaces the first. `import` names its files around such pairs; `validate` warns of
those already in the repository."""

from __future__ import annotations

from collections.abc import Iterable


def case_key(path: str) -> str:
    """What `path` is on a case-insensitive file system: two paths with one key are one file."""
    return path.casefold()


def alike_but_case(paths: Iterable[str]) -> dict[str, list[str]]:
    """The paths that share their `case_key` with another, by that key, each group sorted;
    a path alone of its key is left out."""
    groups: dict[str, set[str]] = {}
    for path in paths:
        groups.setdefault(case_key(path), set()).add(path)
    return {key: sorted(found) for key, found in groups.items() if len(found) > 1}
