"""Edit values in a YAML file in place: comments, key order, quotes, indentation and flow style kept.

Each edit changes only the characters of the value it names, found by the positions the YAML
composer gives every node: a scalar is rewritten where it stands (a comment after it keeps its
column while the spaces allow), a key is removed with its lines (or its entry of a flow mapping),
a new key is added after its mapping's last entry at that mapping's own indentation, or inside
its braces. So a file whose `project:` block is indented 4 and the rest 2 keeps both. What this
cannot do in place (a plain scalar folded over lines, the last key of a block mapping removed, a
file with anchors and aliases) falls back to ruamel's round trip of the whole document with the
file's main indentation. Line endings stay as the file wrote them (CRLF too). A text with nothing to change is returned as it was, byte for byte.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

DELETE = object()  # the value of an Edit that removes its key


@dataclass(frozen=True)
class Edit:
    path: tuple[str, ...]  # keys from the document root, e.g. ("project", "metadata", "tier")
    value: Any  # DELETE removes the key

    def __str__(self) -> str:
        return ".".join(self.path)


class _Unsupported(Exception):
    """This edit cannot be made in place; the whole document is written again instead."""


def set_values(text: str, edits: Sequence[Edit]) -> str:
    """`text` with every edit applied; missing mappings on the way are created. A file whose
    lines all end in CRLF keeps CRLF (new lines too), so the diff is only the edited lines."""
    if not edits:
        return text
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        return set_values(text.replace("\r\n", "\n"), edits).replace("\n", "\r\n")
    if not isinstance(_round_trip().load(text), CommentedMap):
        raise ValueError("the file is not a YAML mapping")
    current = text
    try:
        for edit in edits:
            current = _edit(current, edit)
    except _Unsupported:
        return _redump(text, edits)
    return current


# ------------------------------------------------------------------------------- in place


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _edit(text: str, edit: Edit) -> str:
    root = _round_trip().compose(text)
    if not isinstance(root, MappingNode):
        raise ValueError("the file is not a YAML mapping")
    if _anchored(root):
        raise _Unsupported  # a value shared through an alias has its text in one place only
    node = root
    for depth, key in enumerate(edit.path[:-1]):
        pair = _pair(node, key)
        if pair is None:
            if edit.value is DELETE:
                return text
            value: Any = edit.value
            for inner in reversed(edit.path[depth + 1 :]):
                value = {inner: value}
            return _insert(text, node, key, value)
        child = pair[1]
        if not isinstance(child, MappingNode):
            if edit.value is DELETE:
                return text
            raise _Unsupported
        node = child
    last = edit.path[-1]
    pair = _pair(node, last)
    if edit.value is DELETE:
        return text if pair is None else _delete(text, node, pair)
    if pair is None:
        return _insert(text, node, last, edit.value)
    if _same(text, edit):
        return text
    return _replace(text, pair, edit.value)


def _anchored(node: Node) -> bool:
    if node.anchor is not None:
        return True
    if isinstance(node, MappingNode):
        return any(_anchored(k) or _anchored(v) for k, v in node.value)
    if isinstance(node, SequenceNode):
        return any(_anchored(item) for item in node.value)
    return False


def _pair(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def _same(text: str, edit: Edit) -> bool:
    node: Any = _round_trip().load(text)
    for key in edit.path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return bool(node == edit.value and type(node) is type(edit.value))


def _render(value: Any, like: Node | None = None) -> str:
    """`value` as YAML text valid anywhere a value can stand (flow style), in the quote style of
    the scalar it replaces."""
    if isinstance(value, str) and isinstance(like, ScalarNode):
        if like.style == '"':
            value = DoubleQuotedScalarString(value)
        elif like.style == "'":
            value = SingleQuotedScalarString(value)
    yaml = YAML()
    yaml.default_flow_style = True
    yaml.width = 1 << 20
    out = io.StringIO()
    collection = isinstance(value, dict | list)
    # A scalar is dumped inside a flow sequence, so that it is quoted as a flow context needs.
    yaml.dump(value if collection else [value], out)
    rendered = out.getvalue().strip()
    if rendered.endswith("\n...") or "\n" in rendered:
        raise _Unsupported
    if collection:
        return rendered
    if not (rendered.startswith("[") and rendered.endswith("]")):
        raise _Unsupported
    return rendered[1:-1]


def _flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _last_line(node: Node) -> int:
    """The last line (0-based) that holds part of `node` (a block collection's end mark lies
    after the blank lines and comments that follow it)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        if end.column == 0 and end.line > node.start_mark.line:
            return int(end.line) - 1
        return int(end.line)
    if _flow(node):
        return int(node.end_mark.line)
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    return max((_last_line(c) for c in children), default=int(node.start_mark.line))


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_line(text: str, line: int) -> int:
    """The index just past the end of `line` (0-based), newline included."""
    index = 0
    for _ in range(line + 1):
        found = text.find("\n", index)
        if found < 0:
            return len(text)
        index = found + 1
    return index


_COMMENT_GAP = re.compile(r"([^\n]*?)( +)#")  # the rest of a line up to its comment


def _splice(text: str, start: int, end: int, new: str) -> str:
    """Replace text[start:end] by `new`; a comment after it on the same line keeps its column
    while there are spaces to take or give (at least one stays)."""
    rest = text[end:]
    gap = _COMMENT_GAP.match(rest)
    if gap is not None and "\n" not in text[start:end]:
        between, spaces = gap.group(1), len(gap.group(2))
        wanted = max(1, spaces - (len(new) - (end - start)))
        rest = between + " " * wanted + rest[gap.end(2) :]
    return text[:start] + new + rest


def _replace(text: str, pair: tuple[Node, Node], value: Any) -> str:
    key, node = pair
    if isinstance(node, ScalarNode) and node.style not in ("|", ">"):
        if node.start_mark.line != node.end_mark.line:
            raise _Unsupported  # a plain or quoted scalar folded over lines
        return _splice(text, node.start_mark.index, node.end_mark.index, _render(value, node))
    if _flow(node) and node.start_mark.line == node.end_mark.line:
        return _splice(text, node.start_mark.index, node.end_mark.index, _render(value))
    if isinstance(node, ScalarNode) or isinstance(value, dict | list):
        # A block scalar or collection: the new value in flow style right after the key's colon.
        colon = text.find(":", key.end_mark.index)
        if colon < 0:
            raise _Unsupported
        end = _after_line(text, _last_line(node))
        return text[: colon + 1] + " " + _render(value) + "\n" + text[end:]
    raise _Unsupported


def _delete(text: str, mapping: MappingNode, pair: tuple[Node, Node]) -> str:
    key, node = pair
    if _flow(mapping):
        start, end = key.start_mark.index, node.end_mark.index
        after = re.match(r"\s*,\s*", text[end:])
        if after is not None:
            return text[:start] + text[end + after.end() :]
        before = re.search(r",\s*$", text[:start])
        if before is not None:
            start = before.start()
        return text[:start] + text[end:]
    if len(mapping.value) == 1:
        raise _Unsupported  # the mapping would be left empty (null)
    start = _line_start(text, key.start_mark.index)
    if text[start : key.start_mark.index].strip():
        raise _Unsupported  # the key shares its line (after a `- `)
    end = _after_line(text, _last_line(node))
    return text[:start] + text[end:]


def _insert(text: str, mapping: MappingNode, key: str, value: Any) -> str:
    entry = f"{_render(key)}: {_render(value)}"
    if _flow(mapping):
        if mapping.value:
            at = mapping.value[-1][1].end_mark.index
            return text[:at] + ", " + entry + text[at:]
        close = text.rfind("}", 0, mapping.end_mark.index)
        if close < 0:
            raise _Unsupported
        return text[:close] + entry + text[close:]
    if not mapping.value:
        raise _Unsupported
    first_key = mapping.value[0][0]
    column = int(first_key.start_mark.column)
    at = _after_line(text, _last_line(mapping))
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return text[:at] + prefix + " " * column + entry + "\n" + text[at:]


# ------------------------------------------------------------------------------- fallback


def _redump(text: str, edits: Sequence[Edit]) -> str:
    """ruamel's round trip of the whole document, with the file's main indentation."""
    yaml = _round_trip()
    data = yaml.load(text)
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
