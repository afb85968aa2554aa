"""Pydantic errors, rewritten as messages for someone editing a YAML file."""

from __future__ import annotations

import typing
from typing import Any, Literal

import annotated_types
from pydantic_core import ErrorDetails

from layers_reconcile.config.fieldtypes import Hint
from layers_reconcile.config.locate import ABSENT, Target, is_model, literal_choices
from layers_reconcile.config.quoting import SHORT, short
from layers_reconcile.config.source import YamlPath
from layers_reconcile.config.suggest import did_you_mean

_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "int_from_float",
        "int_parsing",
        "float_parsing",
        "bool_parsing",
        "string_sub_type",
        "union_tag_invalid",
    }
)
_CUSTOM_ERRORS = frozenset(
    {
        "null_not_allowed",
        "unknown_timezone",
        "reserved_key",
        "metadata_too_large",
        "influencer_type",
        "bad_glob",
        "hidden_character",
        "ignore_path",
        "blank_id",
        "blank_text",
        "foreign_digit",
    }
)


def dotted(path: YamlPath) -> str:
    text = ""
    for part in path:
        name = short(part) if isinstance(part, str) else part
        text += f"[{part}]" if isinstance(part, int) else (f".{name}" if text else f"{name}")
    return text


def show(value: Any) -> str:
    """A value as it would read in YAML, shortened."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + short(value).replace("\n", "\\n") + "'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def expected_kind(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if annotation is str:
        return "a string"
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "an integer"
    if annotation is float:
        return "a number"
    if origin is list or annotation is list:
        return "a list"
    if origin is dict or annotation is dict or is_model(annotation):
        return "a mapping"
    if origin is Literal:
        return "one of " + ", ".join(literal_choices(annotation))
    return "a different kind of value"


def subject(target: Target) -> str:
    last = target.path[-1] if target.path else None
    if isinstance(last, int):
        return f"entry {last + 1} of '{short(target.name)}'"
    return f"'{short(target.name)}'"


def describe(error: ErrorDetails, target: Target) -> tuple[str, bool]:
    """The message for one pydantic error, and whether it belongs at the key (not the value)."""
    kind = error["type"]
    if target.unknown_key:
        key = str(target.path[-1])
        if len(key) > SHORT:  # no key that long is near an allowed one
            allowed = ", ".join(target.allowed_keys)
            return f"unknown key '{short(key)}'; allowed keys here: {allowed}", True
        hint = did_you_mean(key, target.allowed_keys)
        if not hint:
            hint = "; allowed keys here: " + ", ".join(target.allowed_keys)
        return f"unknown key '{key}'{hint}", True
    if target.missing is not None:
        where = f" in '{dotted(target.path)}'" if target.path else ""
        return f"missing required key '{target.missing}'{where}", True
    if target.key_error:
        return _key_message(error, target), True
    value = error["input"] if target.value is ABSENT else target.value
    if kind in _CUSTOM_ERRORS:
        return error["msg"], False
    if kind == "literal_error":
        choices = literal_choices(target.annotation)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        return (
            f"{subject(target)} must be one of {', '.join(choices)}, got {show(value)}{hint}",
            False,
        )
    if kind in _TYPE_ERRORS:
        expected = expected_kind(target.annotation)
        return (
            f"{subject(target)} must be {expected}, got {kind_of(value)}{_type_hint(target, value)}",
            False,
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _range_message(error, target, value), False
    if kind == "string_too_short":
        least = _ctx_int(error, "min_length")
        if least <= 1:
            return f"{subject(target)} must not be empty", False
        return f"{subject(target)} must be at least {least} characters long", False
    if kind == "string_too_long":
        most = _ctx_int(error, "max_length")
        length = len(value) if isinstance(value, str) else 0
        return f"{subject(target)} is too long ({length} characters; at most {most})", False
    if kind in ("too_short", "too_long"):
        bound = _ctx_int(error, "min_length" if kind == "too_short" else "max_length")
        limit = "at least" if kind == "too_short" else "at most"
        return f"{subject(target)} must have {limit} {bound} items", False
    if kind == "string_pattern_mismatch":
        expected = _hint(target.metadata) or f"text matching {_ctx_str(error, 'pattern')}"
        return f"invalid {short(target.name)} {show(value)}: expected {expected}", False
    return f"{subject(target)}: {error['msg']}", False


def _key_message(error: ErrorDetails, target: Target) -> str:
    key = short(str(target.path[-1]))
    parent = dotted(target.path[:-1])
    choices = literal_choices(target.annotation)
    if choices:
        hint = did_you_mean(key, choices)
        return f"'{key}' is not allowed in '{parent}': expected one of {', '.join(choices)}{hint}"
    expected = _hint(target.metadata)
    if expected:
        return f"invalid key '{key}' in '{parent}': expected {expected}"
    return f"invalid key '{key}' in '{parent}': {error['msg']}"


def _type_hint(target: Target, value: Any) -> str:
    annotation = target.annotation
    if isinstance(value, str):
        text = value.strip()
        if annotation is int and text.lstrip("+-").isdigit():
            return " — remove the quotes"
        if annotation is bool and text.lower() in ("true", "false"):
            return " — remove the quotes"
        if annotation is bool and text.lower() in ("yes", "no", "on", "off", "y", "n"):
            return " — write true or false (YAML 1.2 reads yes, no, on and off as text)"
    expected = _hint(target.metadata)
    if expected and annotation is str:
        return f" — expected {expected}"
    if annotation is str and isinstance(value, int | float) and not isinstance(value, bool):
        return " — put it in quotes if it is text"
    if annotation is str and isinstance(value, bool):
        return " — put it in quotes if it is text (YAML reads true/false as booleans)"
    if is_model(annotation) and value is None:
        return f" — write '{short(target.name)}: {{}}' for a mapping with no keys"
    return ""


def _range_message(error: ErrorDetails, target: Target, value: Any) -> str:
    low = high = None
    for item in target.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    if low is not None and high is not None:
        return f"{subject(target)} must be between {low} and {high}, got {show(value)}"
    ctx = error.get("ctx", {})
    words = {"ge": "at least", "le": "at most", "gt": "more than", "lt": "less than"}
    for name, word in words.items():
        if name in ctx:
            return f"{subject(target)} must be {word} {ctx[name]}, got {show(value)}"
    return f"{subject(target)}: {error['msg']}"


def _hint(metadata: tuple[Any, ...]) -> str | None:
    for item in metadata:
        if isinstance(item, Hint):
            return item.text
    return None


def _ctx_int(error: ErrorDetails, name: str) -> int:
    value = error.get("ctx", {}).get(name, 0)
    return int(value) if isinstance(value, int) else 0


def _ctx_str(error: ErrorDetails, name: str) -> str:
    return str(error.get("ctx", {}).get(name, ""))
