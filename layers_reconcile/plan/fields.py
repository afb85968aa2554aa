"""Field-level comparison of managed fields (deepdiff) and fingerprints of observed facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from layers_reconcile.ids import body_hash
from layers_reconcile.plan.model import Change

# Lists whose order carries no meaning for the API (sets of tags, platforms, keywords).
UNORDERED = frozenset({"platforms", "keywords", "targetPlatforms", "themeTags"})


def differs(before: Any, after: Any, *, unordered: bool = False) -> bool:
    if before is None or after is None:
        return before is not after
    if type(before) is type(after) and before == after:
        return False  # the common, converged case: skip deepdiff's cost
    from deepdiff import DeepDiff  # here: a converged plan never imports it (~15 ms)

    diff = DeepDiff(
        before,
        after,
        ignore_order=unordered,
        ignore_numeric_type_changes=True,
        ignore_string_type_changes=False,
    )
    return bool(diff)


def changed_keys(
    before: Mapping[str, Any], after: Mapping[str, Any], keys: Iterable[str]
) -> list[str]:
    """The `keys` (sorted) whose values differ between two mappings, nesting included.

    deepdiff walks the nested values (a brief's lists, user metadata's sub-mappings) and names
    the top-level keys it found a change under (`affected_root_keys`): each becomes one field
    path of the plan (`brief.hook`, `metadata.tier`). A key missing on one side reads as None.
    """
    left: dict[str, Any] = {}
    right: dict[str, Any] = {}
    for key in sorted(set(keys)):
        b, a = before.get(key), after.get(key)
        if type(b) is type(a) and b == a:
            continue  # the common, converged case: skip deepdiff's cost
        left[key], right[key] = b, a
    if not left:
        return []
    from deepdiff import DeepDiff  # here: a converged plan never imports it

    diff = DeepDiff(
        left,
        right,
        ignore_numeric_type_changes=True,
        ignore_string_type_changes=False,
    )
    return sorted(str(k) for k in diff.affected_root_keys)


def changes(
    desired: Mapping[str, Any],
    actual: Mapping[str, Any] | None,
    *,
    prefix: str = "",
    expand: Iterable[str] = (),
) -> list[Change]:
    """One Change per managed field (a key of `desired`) whose actual value differs.

    A dict-valued field named in `expand` is compared key by key (user metadata), so a reviewer
    sees `metadata.tier` rather than the whole mapping; a key only on the actual side is removed.
    """
    actual = actual or {}
    out: list[Change] = []
    expanded = set(expand)
    for name, want in desired.items():
        have = actual.get(name)
        if name in expanded and isinstance(want, Mapping):
            have_map = have if isinstance(have, Mapping) else {}
            for sub in changed_keys(have_map, want, set(want) | set(have_map)):
                out.append(
                    Change(
                        field=f"{prefix}{name}.{sub}", before=have_map.get(sub), after=want.get(sub)
                    )
                )
            continue
        if differs(have, want, unordered=name in UNORDERED):
            out.append(Change(field=f"{prefix}{name}", before=have, after=want))
    return out


def unknown_before(desired: Mapping[str, Any], *, prefix: str = "") -> list[Change]:
    """Every managed field, its current value known only after an earlier step of this apply."""
    return [Change(field=f"{prefix}{k}", after=v, before_unknown=True) for k, v in desired.items()]


def created(desired: Mapping[str, Any], *, prefix: str = "") -> list[Change]:
    return [Change(field=f"{prefix}{k}", before=None, after=v) for k, v in desired.items()]


def fingerprint(facts: Any) -> str:
    """Short stable hash of the observed facts one step was computed from."""
    return body_hash(facts)[:16]
