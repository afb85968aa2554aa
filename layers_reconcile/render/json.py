"""The machine-readable rendering: the versioned plan document (PRODUCT.md §5)."""

from __future__ import annotations

import json
from typing import Any

from layers_reconcile.plan.model import Plan
from layers_reconcile.printable import json_printable

# One value on one line, by the C encoder (`json.dumps` with `indent` walks in Python).
_ONE_LINE = json.JSONEncoder(ensure_ascii=False).encode


def render_json(plan: Plan) -> str:
    return json_printable(indented(plan.to_document())) + "\n"


def indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, the same text character for character,
    made several times faster: what holds no list or object is written by the C encoder."""
    parts: list[str] = []
    _write(value, parts, "\n")
    return "".join(parts)


def _write(value: Any, parts: list[str], newline: str) -> None:
    """`value` at the nesting whose line break (and indentation) is `newline`."""
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            parts.append(separator)
            parts.append(_ONE_LINE(_key(key)))
            parts.append(": ")
            _write(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        parts.append(_ONE_LINE(value))


def _key(key: Any) -> str:
    """A key as `json.dumps` writes it: a string as is; a float, an int, true, false and null
    as their JSON text (then quoted); anything else is refused, as `json.dumps` refuses it."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, int | float):  # bool is an int
        return _ONE_LINE(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
