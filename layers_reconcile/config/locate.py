"""Map a pydantic error `loc` back to a path in the YAML document, and to the expected type there.

The walk follows the model's annotations and the data side by side: union tags (`attributes`),
`[key]` markers and missing keys appear in `loc` but not in the data, so the data path can be
shorter than `loc`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Tag

from layers_reconcile.config.source import YamlPath

ABSENT: Any = object()


@dataclass(frozen=True)
class Target:
    """Where an error is in the data, and what the model expected there."""

    path: YamlPath
    annotation: Any = None
    metadata: tuple[Any, ...] = ()
    value: Any = ABSENT
    missing: str | None = None
    unknown_key: bool = False
    key_error: bool = False
    allowed_keys: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The key the error is about, as the user wrote it."""
        if self.missing is not None:
            return self.missing
        for part in reversed(self.path):
            if isinstance(part, str):
                return part
        return "value"


def unwrap(annotation: Any, metadata: tuple[Any, ...] = ()) -> tuple[Any, tuple[Any, ...]]:
    """Strip `Annotated` (collecting its metadata) and `| None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], (*metadata, *args[1:])
        elif origin in (Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation, metadata
            annotation = rest[0]
        else:
            return annotation, metadata


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def literal_choices(annotation: Any) -> tuple[str, ...]:
    annotation, _ = unwrap(annotation)
    if typing.get_origin(annotation) is Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    return ()


def resolve(model: type[BaseModel], data: Any, loc: Sequence[str | int]) -> Target:
    annotation: Any = model
    metadata: tuple[Any, ...] = ()
    value = data
    path: YamlPath = ()
    index = 0
    while index < len(loc):
        segment = loc[index]
        annotation, metadata = unwrap(annotation, metadata)
        origin = typing.get_origin(annotation)
        if is_model(annotation):
            fields = annotation.model_fields
            if not isinstance(segment, str) or segment not in fields:
                return Target(
                    (*path, segment),
                    value=_child(value, segment),
                    unknown_key=True,
                    allowed_keys=tuple(fields),
                )
            field = fields[segment]
            child = _child(value, segment)
            if child is ABSENT:
                return Target(path, field.annotation, tuple(field.metadata), value, missing=segment)
            annotation, metadata, value = field.annotation, tuple(field.metadata), child
            path = (*path, segment)
        elif origin in (Union, types.UnionType):
            branch = _tagged_branch(annotation, segment)
            if branch is None:
                break
            annotation = branch
        elif origin is dict:
            key_type, value_type = typing.get_args(annotation)
            if index + 1 < len(loc) and loc[index + 1] == "[key]":
                key_type, key_metadata = unwrap(key_type)
                return Target((*path, segment), key_type, key_metadata, segment, key_error=True)
            annotation, metadata, value = value_type, (), _child(value, segment)
            path = (*path, segment)
        elif origin is list:
            (item_type,) = typing.get_args(annotation)
            annotation, metadata, value = item_type, (), _child(value, segment)
            path = (*path, segment)
        else:
            break
        index += 1
    annotation, metadata = unwrap(annotation, metadata)
    return Target(path, annotation, metadata, value)


def _child(value: Any, segment: str | int) -> Any:
    if isinstance(value, dict) and isinstance(segment, str) and segment in value:
        return value[segment]
    if isinstance(value, list) and isinstance(segment, int) and 0 <= segment < len(value):
        return value[segment]
    return ABSENT


def _tagged_branch(union: Any, segment: str | int) -> Any | None:
    for branch in typing.get_args(union):
        if typing.get_origin(branch) is Annotated:
            tags = [m for m in typing.get_args(branch)[1:] if isinstance(m, Tag)]
            if any(tag.tag == segment for tag in tags):
                return branch
    return None
