"""Edit values in a YAML file in place: comments, key order, quotes and layout kept.

ruamel.yaml's round-trip mode re-emits the whole document, so `set_values` reads the file's
indentation first and never widens or wraps lines; a text with nothing to change is returned as
it was, byte for byte.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

DELETE = object()  # the value of an Edit that removes its key


@dataclass(frozen=True)
class Edit:
    path: tuple[str, ...]  # keys from the document root, e.g. ("project", "metadata", "tier")
    value: Any  # DELETE removes the key

    def __str__(self) -> str:
        return ".".join(self.path)


def set_values(text: str, edits: Sequence[Edit]) -> str:
    """`text` with every edit applied; missing mappings on the way are created."""
    if not edits:
        return text
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    data = yaml.load(text)
    if not isinstance(data, CommentedMap):
        raise ValueError("the file is not a YAML mapping")
    changed = False
    for edit in edits:
        changed |= _apply(data, edit)
    if not changed:
        return text
    mapping, offset = _layout(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _layout(text: str) -> tuple[int, int]:
    """(mapping indent, dash offset) as the file writes them: the first nested key below a
    `key:` line, and the first `- ` below one (ruamel's own guess mixes the two up)."""
    mapping = offset = None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for parent, child in itertools.pairwise(lines):
        head = parent.split(" #", 1)[0].rstrip()
        if not head.endswith(":"):
            continue
        depth = len(parent) - len(parent.lstrip())
        inner = len(child) - len(child.lstrip())
        if inner < depth:
            continue
        if child.lstrip().startswith("- "):
            offset = inner - depth if offset is None else offset
        elif inner > depth:
            mapping = inner - depth if mapping is None else mapping
    return mapping or 2, offset if offset is not None else 2


def _apply(data: CommentedMap, edit: Edit) -> bool:
    node: Any = data
    for key in edit.path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if edit.value is DELETE:
                return False
            child = CommentedMap()
            node[key] = child
        node = child
    last = edit.path[-1]
    if edit.value is DELETE:
        if last in node:
            del node[last]
            return True
        return False
    if last in node and node[last] == edit.value and type(node[last]) is type(edit.value):
        return False
    node[last] = edit.value
    return True
