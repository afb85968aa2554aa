"""One rule for showing untrusted text: every character a terminal or a reader could act on is
escaped, never dropped, so what was received stays visible and cannot move the cursor, clear the
screen, set a window title, split a `file:line:col` line or reorder what is shown.

Escaped: C0 controls (NUL..US, including tab, newline and ESC), DEL, C1 controls (U+0080..U+009F,
`\\x9b` is a one-byte CSI), the line and paragraph separators, bidi embedding/override/isolate
marks and lone surrogates. Everything else, letters of any script and emoji included, is shown as
is. This module imports nothing of the project: every layer may use it.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from enum import Enum
from typing import Any, TypeVar, cast

from pydantic import BaseModel

T = TypeVar("T")

# Bidi marks and overrides (U+200E/F, U+202A-E, U+2066-9, U+061C) reorder what follows them.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

_JSON_UNESCAPED = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def json_printable(text: str) -> str:
    """JSON text with every character `printable()` escapes but JSON does not (DEL, C1, the
    separators, bidi marks, lone surrogates) written as a `\\uNNNN` escape: the same JSON value,
    safe to show. Those characters can only be inside strings, where the escape means the same;
    the C0 controls left are the JSON text's own line breaks and indentation."""
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def printable(s: str) -> str:
    """`s` with every control, separator and bidi character escaped as `\\xNN` or `\\uNNNN`."""
    return _UNPRINTABLE.sub(_escape, s)


def printable_value(value: T) -> T:
    """`value` with `printable()` applied to every string in it: in pydantic models,
    dataclasses, lists, tuples, sets and dicts (keys too). Enum members are kept. What holds
    nothing to escape is returned as is (the same object)."""
    return cast(T, _walk(value))


def _walk(value: Any) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _walk(old)
            if new is not old:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        pairs = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
        updates = [(name, new) for name, old in pairs if (new := _walk(old)) is not old]
        if not updates:
            return value
        twin = copy.copy(value)
        for name, new in updates:
            object.__setattr__(twin, name, new)  # frozen dataclasses too
        return twin
    if isinstance(value, dict):
        items = [(_walk(k), _walk(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return type(value)(items) if type(value) is dict else dict(items)
    if isinstance(value, list | tuple | set | frozenset):
        walked = [_walk(v) for v in value]
        if all(new is old for new, old in zip(walked, value, strict=True)):
            return value
        return type(value)(walked) if type(value) in (list, tuple, set, frozenset) else walked
    return value
