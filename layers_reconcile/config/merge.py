"""Deep-merge of the workspace `defaults` under a customer document, positions included.

The rule: a default fills in fields of the sections a customer has and never adds a section.

- `project` and `approval` are sections every customer has (every project has a name, a time
  zone and an approval policy): their defaults apply to every customer.
- `github`, `brand`, `influencer`, `social`, `content` and `organization` are things a customer has or not:
  their defaults apply only where the customer's file has the section.
- In `social` and `content` each entry is a section of its own: `defaults.social.tiktok` fills
  in a customer's `social.tiktok` and adds no TikTok account to a customer without one, and
  `defaults.content.KEY` fills in only the content of that key.
- `ignore` lists add up: the customer's paths, then the defaults' ones it does not repeat.
"""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.source import SourceMap, YamlPath

# Sections a customer may switch off with `section: null`, even when `defaults` set them.
OPTIONAL_SECTIONS = frozenset(
    {"approval", "github", "brand", "influencer", "social", "content", "organization"}
)
# Sections every customer has: their defaults apply to every customer.
EVERY_CUSTOMER = frozenset({"project", "approval"})
# Sections keyed by name: each entry is a section of its own.
KEYED_SECTIONS = frozenset({"social", "content"})
# Lists that add up rather than the customer's replacing the default's.
ADDITIVE = "ignore"


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key (the override wins); anything else is replaced whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def applicable_defaults(defaults: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
    """The part of `defaults` that fills in sections `customer` has (see the module's rule)."""
    kept: dict[str, Any] = {}
    for key, value in defaults.items():
        if key == ADDITIVE or key in EVERY_CUSTOMER or key not in OPTIONAL_SECTIONS:
            kept[key] = value
            continue
        own = customer.get(key)
        if own is None:
            continue  # the customer does not have this section: no default adds it
        if key in KEYED_SECTIONS and isinstance(value, dict) and isinstance(own, dict):
            entries = {name: entry for name, entry in value.items() if name in own}
            if entries:
                kept[key] = entries
            continue
        kept[key] = value
    return kept


def merge_customer(
    defaults: dict[str, Any],
    defaults_source: SourceMap | None,
    defaults_prefix: YamlPath,
    customer: dict[str, Any],
    customer_source: SourceMap,
    *,
    every_section: bool = False,
) -> tuple[dict[str, Any], SourceMap]:
    """The customer document with `defaults` merged under it, and where each value came from.

    Values taken from the defaults keep their positions in the workspace file. A top-level
    optional section written as `null` is removed: that section is not managed.
    `every_section`: merge all of `defaults`, to check them on their own under a stand-in.
    """
    kept = defaults if every_section else applicable_defaults(defaults, customer)
    merged: dict[str, Any] = deep_merge(kept, customer)
    for key in OPTIONAL_SECTIONS:
        if key in customer and customer[key] is None:
            del merged[key]
    added = _add_up(defaults.get(ADDITIVE), customer.get(ADDITIVE))
    if added is not None:
        merged[ADDITIVE] = [item for item, _ in added]
    source = SourceMap(customer_source.root)
    if not kept and added is None and customer_source.whole:
        # Nothing came from the defaults: the customer's own entries, less the sections removed
        # (what `_collect` finds, in its order, without walking the document again).
        removed = {(key,) for key in customer.keys() - merged.keys()}
        source.entries = {
            path: located
            for path, located in customer_source.entries.items()
            if path[:1] not in removed
        }
    else:
        _collect(merged, (), customer_source, defaults_source, defaults_prefix, source)
    for index, (_, origin) in enumerate(added or []):
        located = None
        if origin[0] == "customer":
            located = customer_source.get((ADDITIVE, origin[1]))
        elif defaults_source is not None:
            located = defaults_source.get((*defaults_prefix, ADDITIVE, origin[1]))
        if located is not None:
            source.entries[(ADDITIVE, index)] = located
    return merged, source


def _add_up(default: Any, own: Any) -> list[tuple[Any, tuple[str, int]]] | None:
    """The customer's items then the defaults' new ones, each with where it was written; None
    when either side is not a list (validation then reports that side as it is)."""
    if not isinstance(default, list) or not isinstance(own, list):
        return None
    items: list[tuple[Any, tuple[str, int]]] = [(v, ("customer", i)) for i, v in enumerate(own)]
    seen = list(own)
    for i, value in enumerate(default):
        if value not in seen:
            seen.append(value)
            items.append((value, ("defaults", i)))
    return items


def _collect(
    value: Any,
    path: YamlPath,
    customer_source: SourceMap,
    defaults_source: SourceMap | None,
    prefix: YamlPath,
    out: SourceMap,
) -> None:
    """Where each value below `value` (at `path`) was written: in the customer's file, else in
    the defaults (below `prefix`). Entries go in in document order, each before its children."""
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return
    from_customer = customer_source.entries.get
    from_defaults = defaults_source.entries.get if defaults_source is not None else None
    entries = out.entries
    for key, child in children:
        child_path = (*path, key)
        located = from_customer(child_path)
        if located is None and from_defaults is not None:
            located = from_defaults((*prefix, *child_path))
        if located is not None:
            entries[child_path] = located
        if isinstance(child, dict | list):
            _collect(child, child_path, customer_source, defaults_source, prefix, out)
