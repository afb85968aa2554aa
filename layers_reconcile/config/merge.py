"""Deep-merge of the workspace `defaults` under a customer document, positions included."""

from __future__ import annotations

from typing import Any

from layers_reconcile.config.source import SourceMap, YamlPath

# Sections a customer may switch off with `section: null`, even when `defaults` set them.
OPTIONAL_SECTIONS = frozenset({"approval", "github", "brand", "influencer", "social", "content"})


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key (the override wins); anything else is replaced whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def merge_customer(
    defaults: dict[str, Any],
    defaults_source: SourceMap | None,
    defaults_prefix: YamlPath,
    customer: dict[str, Any],
    customer_source: SourceMap,
) -> tuple[dict[str, Any], SourceMap]:
    """The customer document with `defaults` merged under it, and where each value came from.

    Values taken from the defaults keep their positions in the workspace file. A top-level
    optional section written as `null` is removed: that section is not managed.
    """
    merged: dict[str, Any] = deep_merge(defaults, customer)
    for key in OPTIONAL_SECTIONS:
        if key in customer and customer[key] is None:
            del merged[key]
    source = SourceMap(customer_source.root)
    _collect(merged, (), customer_source, defaults_source, defaults_prefix, source)
    return merged, source


def _collect(
    value: Any,
    path: YamlPath,
    customer_source: SourceMap,
    defaults_source: SourceMap | None,
    prefix: YamlPath,
    out: SourceMap,
) -> None:
    if path:
        located = customer_source.get(path)
        if located is None and defaults_source is not None:
            located = defaults_source.get((*prefix, *path))
        if located is not None:
            out.entries[path] = located
    children: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        _collect(child, (*path, key), customer_source, defaults_source, prefix, out)
