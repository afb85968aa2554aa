"""YAML text to ruamel.yaml's node graph: the positions of every key and value, and tags
resolved by YAML 1.2, with no Python objects made (`source.py` builds the data from it).

libyaml (ruamel.yaml.clib) composes when it is installed, through a parser class made once
(`_LibyamlComposer`); the pure parser only re-reads a document libyaml refused, for its message.
"""

from __future__ import annotations

import io
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLWarning
from ruamel.yaml.main import CParser  # type: ignore[attr-defined]  # None without libyaml
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver, VersionedResolver
from ruamel.yaml.tag import Tag

from layers_reconcile.config.long_keys import too_long_key


def compose(text: str, *, pure: bool) -> Composed:
    """The node graph of the document: positions of every key and value, no Python objects.

    libyaml (ruamel.yaml.clib) composes when it is installed: about ten times faster on big
    workspaces. Its parser is made for each document (nothing a file left behind, its anchors,
    reaches the next), from a class made once (`_LibyamlComposer`). The pure one, only for a
    file libyaml refused, is made anew each time too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        if pure or CParser is None:
            pure_node: Node | None = _loader(pure=True).compose(io.StringIO(text))
            return Composed(pure_node, None)
        composer = _LibyamlComposer(io.StringIO(text))
        try:
            node: Node | None = composer.get_single_node()
        finally:
            composer.dispose()
        # At most one node with a written tag for each `!` in the text.
        return Composed(node, composer.resolved + text.count("!"))


@dataclass(frozen=True)
class Composed:
    node: Node | None
    # How many nodes the parser made at most (each alias once, as the node it names): the tags
    # it resolved, and one for each `!` of the text (a tag written); None: not counted (pure).
    made: int | None


def _loader(*, pure: bool) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = _Resolver
    return yaml


def position(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def syntax_error(exc: MarkedYAMLError, text: str) -> tuple[int, int, str]:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    too_long = too_long_key(str(exc.problem or ""), text, mark.line) if mark else None
    if too_long is not None:
        return (line, *too_long)
    problem = str(exc.problem or exc.context or "invalid YAML").strip()
    message = f"YAML syntax error: {problem}"
    if "'\\t'" in problem:
        message += " (indent with spaces, not tabs)"
    context_mark = exc.context_mark
    if exc.context and context_mark is not None and exc.problem:
        context = str(exc.context).strip()
        message += f" ({context} at line {context_mark.line + 1}, column {context_mark.column + 1})"
    return line, col, message


class _Resolver(VersionedResolver):
    """YAML 1.2 throughout; the stock properties look the version up again, and rebuild its
    implicit resolvers, for every scalar of every file: the rules are built once per process."""

    _rules: Any = None

    @property
    def processing_version(self) -> Any:
        return (1, 2)

    @property
    def versioned_resolver(self) -> Any:
        rules = _Resolver._rules
        if rules is None:
            rules = _Resolver._rules = VersionedResolver.versioned_resolver.fget(self)  # type: ignore[attr-defined]
        return rules


# Implicit tags of plain scalars, by first character (YAML 1.2, as `_Resolver` has them), each a
# compiled pattern and one shared `Tag`: made on the first document.
_Rules = dict[str, list[tuple[Tag, Callable[[str], object]]]]
_RULES: list[_Rules] = []


def _rules() -> _Rules:
    if not _RULES:
        versioned = _Resolver().versioned_resolver
        tags: dict[str, Tag] = {}
        common = list(versioned.get(None, []))
        _RULES.append(
            {
                first: [
                    (tags.setdefault(tag, Tag(suffix=tag)), regexp.match)
                    for tag, regexp in [*rules, *common]
                ]
                for first, rules in versioned.items()
                if first is not None
            }
        )
        _RULES[0][_NO_RULE] = [(tags.setdefault(t, Tag(suffix=t)), r.match) for t, r in common]
    return _RULES[0]


_NO_RULE = "\x00no-rule"
_DEFAULT_SCALAR: Tag = BaseResolver.DEFAULT_SCALAR_TAG
_DEFAULT_SEQUENCE: Tag = BaseResolver.DEFAULT_SEQUENCE_TAG
_DEFAULT_MAPPING: Tag = BaseResolver.DEFAULT_MAPPING_TAG


class _LibyamlComposer(CParser if CParser is not None else object):  # type: ignore[misc]
    """libyaml's parser composing nodes, resolving tags as `_Resolver` does (the stock loader
    makes a class for every document, and resolves through several properties per scalar). It
    counts the tags it resolves (`resolved`): every node made but those with a tag written
    (`!`), which libyaml takes as written."""

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(stream)
        self.resolved = 0
        self.rules = _rules()

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> Tag:
        """`VersionedResolver.resolve` without path resolvers (none are registered)."""
        self.resolved += 1
        if kind is ScalarNode:
            if implicit[0]:
                rules = self.rules
                for tag, match in rules.get(value[:1], None) or rules[_NO_RULE]:
                    if match(value):
                        return tag
            return _DEFAULT_SCALAR
        return _DEFAULT_SEQUENCE if kind is SequenceNode else _DEFAULT_MAPPING

    # Path resolvers follow the parser down and up the document (none are registered): called
    # for every node, each is a C function that does nothing here, not a Python one.
    descend_resolver = staticmethod(operator.is_)  # (parent, index)
    ascend_resolver = staticmethod(tuple)  # ()
