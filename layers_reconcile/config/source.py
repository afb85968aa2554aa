"""YAML text to plain data plus the source position of every key and value.

The document is composed with ruamel.yaml (`compose.py`) and turned into plain Python by hand, so
that every duplicate key is reported (not just the first, and never silently dropped), scalars
keep YAML 1.2 meaning, and timestamps stay the text the user wrote. Nothing here raises on bad
input: every problem becomes an `Issue`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from layers_reconcile.config.compose import Composed, compose, position, syntax_error
from layers_reconcile.config.files import decode, read_bytes

YamlPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_NULL = _TAG + "null"
_MERGE = _TAG + "merge"
_STR = _TAG + "str"
_SEQ = _TAG + "seq"
_MAP = _TAG + "map"
_MAX_DEPTH = 64
# Generous for real workspace files (a few KB), small enough that a hostile one cannot exhaust
# memory or time: aliases expand to at most so many values (the file's size: `files.py`).
MAX_NODES = 300_000
# Integers fit in 64 bits (what the API stores); a longer one is refused where it is written.
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)


@dataclass(frozen=True, order=True, slots=True)
class Mark:
    """A 1-based position in one file."""

    file: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Located:
    value: Mark
    key: Mark | None = None
    is_null: bool = False


# `Mark` and `Located` as their own `__init__` makes them (equal, hashed and shown alike), each
# field set by its slot rather than through `object.__setattr__` (they are frozen): the builder
# makes one of each for every value of every file.
_new_object = object.__new__
_set_file = Mark.__dict__["file"].__set__
_set_line = Mark.__dict__["line"].__set__
_set_col = Mark.__dict__["col"].__set__
_set_value = Located.__dict__["value"].__set__
_set_key = Located.__dict__["key"].__set__
_set_is_null = Located.__dict__["is_null"].__set__


def _new_mark(file: str, line: int, col: int) -> Mark:
    mark: Mark = _new_object(Mark)
    _set_file(mark, file)
    _set_line(mark, line)
    _set_col(mark, col)
    return mark


def _new_located(value: Mark, key: Mark | None, is_null: bool) -> Located:
    located: Located = _new_object(Located)
    _set_value(located, value)
    _set_key(located, key)
    _set_is_null(located, is_null)
    return located


@dataclass(frozen=True)
class Issue:
    """A problem found at a position, before it becomes a `ConfigIssue`."""

    mark: Mark
    message: str
    severity: str = "error"


@dataclass
class SourceMap:
    """Positions of the keys and values of one (possibly merged) document, by path."""

    root: Mark
    entries: dict[YamlPath, Located] = field(default_factory=dict)
    # Made by `parse_yaml` with the data: `entries` has the path of every value of that data
    # and nothing else, in document order (each before its children). `merge` relies on it.
    whole: bool = field(default=False, compare=False, repr=False)

    def mark(self, path: YamlPath, *, key: bool = False) -> Mark:
        """The position to report for `path`: its key or value, else its nearest ancestor.

        A null value is reported at its key: the parser places an empty value on the next line.
        """
        while path:
            located = self.entries.get(path)
            if located is not None:
                if located.key is not None and (key or located.is_null):
                    return located.key
                return located.value
            path = path[:-1]
        return self.root

    def get(self, path: YamlPath) -> Located | None:
        return self.entries.get(path)


@dataclass
class ParsedFile:
    file: str
    data: Any
    source: SourceMap
    issues: list[Issue]
    empty: bool = False


def read_yaml(
    path: Path, display: str, *, root: Path | None = None, real_root: str | None = None
) -> ParsedFile:
    """Read and parse one YAML file; problems (unreadable, not UTF-8, bad YAML) become issues.

    Only a regular file is read, at most `MAX_FILE_BYTES` of it, and never by following a link
    out of `root` (the workspace): a link planted by a pull request must not make the tool read,
    or echo, a file of the machine it runs on. `real_root`: `os.path.realpath(root)`, when the
    caller has it already (one for all the files of a workspace).
    """
    raw, problem = read_bytes(path, root, real_root=real_root)
    if raw is None:
        return _failed(display, 1, 1, problem)
    text, decoded = decode(raw)
    if text is None:
        assert decoded is not None
        line, col, message = decoded
        return _failed(display, line, col, message)
    return parse_yaml(text, display)


def parse_yaml(text: str, file: str) -> ParsedFile:
    """Parse one YAML document held in `text`, reported as `file`."""
    try:
        composed = compose(text, pure=False)
    except (YAMLError, RecursionError, ValueError):
        # Report what the Python parser says, so that messages and positions do not depend on
        # whether libyaml (ruamel.yaml.clib) is installed.
        try:
            composed = compose(text, pure=True)
        except MarkedYAMLError as exc:
            return _failed(file, *syntax_error(exc, text))
        except ReaderError as exc:
            line, col = position(text, exc.position)
            return _failed(
                file,
                line,
                col,
                f"character U+{exc.character:04X} is not allowed in YAML; remove it",
            )
        except RecursionError:
            return _failed(
                file, 1, 1, f"the document is nested too deeply (over {_MAX_DEPTH} levels)"
            )
        except (YAMLError, ValueError) as exc:
            return _failed(file, 1, 1, f"YAML error: {exc}")
    node = composed.node
    if node is None:
        return ParsedFile(file, None, SourceMap(Mark(file, 1, 1)), [], empty=True)
    builder = _Builder(file)
    try:
        if not _a_tree_within_limit(text, composed):
            # Count first (each shared node once), so that an alias bomb costs nothing to refuse.
            sizes: dict[int, int] = {}
            if _expanded_size(node, sizes, 0) > MAX_NODES:
                raise _TooManyNodes(_crossing(node, sizes))
        data = builder.build(node, (), 0, frozenset())
    except _TooManyNodes as exc:
        mark = builder.mark(exc.node)
        return _failed(
            file,
            mark.line,
            mark.col,
            f"the document has over {MAX_NODES:,} values once its aliases are expanded (the "
            "limit); write the values out or use fewer aliases",
        )
    source = SourceMap(builder.mark(node), builder.entries, whole=True)
    return ParsedFile(file, data, source, builder.issues)


def _a_tree_within_limit(text: str, composed: Composed) -> bool:
    """Whether the document, without counting, is known to expand to at most `MAX_NODES`
    values: it has no alias (no `*` anywhere in it), so every node appears once, and the parser
    made no more than that many. Else `_expanded_size` counts."""
    return composed.made is not None and composed.made <= MAX_NODES and "*" not in text


def _failed(file: str, line: int, col: int, message: str) -> ParsedFile:
    return ParsedFile(
        file, None, SourceMap(Mark(file, 1, 1)), [Issue(Mark(file, line, col), message)]
    )


def _tag(node: Node) -> str:
    """The resolved tag of `node` (what `node.tag` gives, without its property and `str`)."""
    ctag = node.ctag
    if ctag is None:
        return ""
    value = ctag.trval
    return "None" if value is None else value  # as `str(Tag)` writes a tag without a value


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _expanded_size(node: Node, sizes: dict[int, int], depth: int) -> int:
    """How many values `node` becomes once aliases are expanded (memoised by node).

    The children are walked in place (what `_children` lists, in its order): this runs once
    for every value of every file.
    """
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # an alias to an enclosing node counts once; the builder reports it
    total = 1
    if depth <= _MAX_DEPTH:
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += _expanded_size(child, sizes, depth + 1)
                if total > MAX_NODES:
                    break
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                total += _expanded_size(key_node, sizes, depth + 1)
                if total > MAX_NODES:
                    break
                total += _expanded_size(value_node, sizes, depth + 1)
                if total > MAX_NODES:
                    break
    sizes[id(node)] = total
    return total


def _crossing(root: Node, sizes: dict[int, int]) -> Node:
    """The first node, in document order, at which the running count passes the limit."""
    node, count = root, 0
    for _ in range(_MAX_DEPTH + 2):
        count += 1
        for child in _children(node):
            size = sizes.get(id(child), 1)
            if count + size > MAX_NODES:
                node = child
                break
            count += size
        else:
            return node
        if not _children(node):
            return node
    return node


class _TooManyNodes(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.entries: dict[YamlPath, Located] = {}
        self.issues: list[Issue] = []
        self.built = 0

    def mark(self, node: Node) -> Mark:
        start = node.start_mark
        return _new_mark(self.file, start.line + 1, start.column + 1)

    def problem(self, node: Node, message: str) -> None:
        self.issues.append(Issue(self.mark(node), message))

    def build(
        self, node: Node, path: YamlPath, depth: int, active: frozenset[int], tag: str | None = None
    ) -> Any:
        """Plain data of `node`; `tag`: its tag when the caller has resolved it already."""
        if id(node) in active:
            self.problem(
                node, "an alias refers to the node that contains it; YAML here must be a tree"
            )
            return None
        if depth > _MAX_DEPTH:
            self.problem(node, f"the document is nested too deeply (over {_MAX_DEPTH} levels)")
            return None
        self.built += 1
        if self.built > MAX_NODES:
            raise _TooManyNodes(node)
        if tag is None:
            tag = _tag(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, tag)
        active = active | {id(node)}
        if isinstance(node, SequenceNode):
            if tag != _SEQ:
                self.problem(node, f"unsupported YAML tag '{tag}'; write a plain list")
            value = self.value
            return [
                value(child, (*path, index), None, depth, active)
                for index, child in enumerate(node.value)
            ]
        if isinstance(node, MappingNode):
            if tag != _MAP:
                self.problem(node, f"unsupported YAML tag '{tag}'; write a plain mapping")
            return self.mapping(node, path, depth, active)
        self.problem(node, "unsupported YAML node")
        return None

    def value(
        self, node: Node, path: YamlPath, key: Mark | None, depth: int, active: frozenset[int]
    ) -> Any:
        """Plain data of `node`, the value at `path` in a container at `depth` (`key`: where its
        key is written), its position recorded; a scalar not too deep is built at once."""
        tag = _tag(node)
        start = node.start_mark
        scalar = isinstance(node, ScalarNode)
        self.entries[path] = _new_located(
            _new_mark(self.file, start.line + 1, start.column + 1), key, tag == _NULL and scalar
        )
        if isinstance(node, ScalarNode) and depth < _MAX_DEPTH:
            return self.leaf(node, tag)
        return self.build(node, path, depth + 1, active, tag)

    def mapping(
        self, node: MappingNode, path: YamlPath, depth: int, active: frozenset[int]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        merges: list[Node] = []
        file, value = self.file, self.value
        for key_node, value_node in node.value:
            if _tag(key_node) == _MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be a plain string, not a list or a mapping")
                continue
            key = str(key_node.value)
            start = key_node.start_mark
            key_mark = _new_mark(file, start.line + 1, start.column + 1)
            if key in first_seen:
                first = first_seen[key]
                self.issues.append(
                    Issue(
                        key_mark,
                        f"duplicate key '{key}' (first written at line {first.line}, column "
                        f"{first.col}); keep one",
                    )
                )
                continue
            first_seen[key] = key_mark
            result[key] = value(value_node, (*path, key), key_mark, depth, active)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self.problem(source, "'<<' merges mappings only")
                    continue
                for key_node, value_node in source.value:
                    if not isinstance(key_node, ScalarNode) or _tag(key_node) == _MERGE:
                        continue
                    key = str(key_node.value)
                    if key in result:
                        continue
                    child_path = (*path, key)
                    self.entries[child_path] = Located(
                        self.mark(value_node), self.mark(key_node), _is_null(value_node)
                    )
                    result[key] = self.build(value_node, child_path, depth + 1, active)
        return result

    def leaf(self, node: ScalarNode, tag: str) -> Any:
        """What `build` makes of a scalar not too deep: counted, never an alias to a node that
        contains it (only mappings and lists contain), most often a plain string."""
        self.built += 1
        if self.built > MAX_NODES:
            raise _TooManyNodes(node)
        return str(node.value) if tag == _STR else self.scalar(node, tag)

    def scalar(self, node: ScalarNode, tag: str) -> Any:
        text = str(node.value)
        kind = tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
        if kind in ("str", "timestamp", "!"):
            return text
        if kind == "null":
            return None
        if kind == "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if kind == "int":
            number = _parse_int(text)
            if number is None:
                return text
            if not MIN_INT <= number <= MAX_INT:
                self.problem(
                    node,
                    f"the number {_shortened(text)} is too large: numbers here fit in 64 bits "
                    f"(at most {MAX_INT:,}); put it in quotes if it is text",
                )
                return text
            return number
        if kind == "float":
            real = _parse_float(text)
            if real is not None and not math.isfinite(real):
                self.problem(
                    node,
                    f"the number {_shortened(text)} is not a finite number (NaN or infinity), "
                    "which JSON and the API cannot carry; put it in quotes if it is text",
                )
                return text
            if real is not None:
                return real
            return text
        self.problem(node, f"unsupported YAML tag '{tag}'; write a plain value")
        return text


def _is_null(node: Node, tag: str | None = None) -> bool:
    """Whether `node` is a null scalar; `tag`: its tag when the caller has resolved it already."""
    return isinstance(node, ScalarNode) and (_tag(node) if tag is None else tag) == _NULL


def _shortened(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-4:]} ({len(text):,} characters)"


def _parse_int(text: str) -> int | None:
    """The integer `text` denotes; None when it is none. One of over 64 digits is only known to
    be out of range (2**64): converting it could take long, and printing it would raise."""
    cleaned = text.replace("_", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-").lower()
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2])
    body = digits[2:] if base is not None else digits
    if len(body.lstrip("0")) > 64:
        return sign * 2**64
    try:
        return sign * int(body, base or 10)
    except ValueError:
        return None


def _parse_float(text: str) -> float | None:
    cleaned = text.replace("_", "").lower()
    specials = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
    if cleaned in specials:
        return specials[cleaned]
    try:
        return float(cleaned)
    except ValueError:
        return None
