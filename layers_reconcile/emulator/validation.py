"""Pydantic validation speaking the emulator's error envelope.

Request models (`emulator/requests/`) declare what a body may hold; `Issues` runs them and turns
pydantic's errors into `details.issues[] = {path, message}` with the paths (`targets[0].mode`)
and messages ("is required", "must be at most 128 characters") the emulator has always answered.
Checks that need the world (is this account of this project?) run inside the models as
validators reading the validation context, so every issue is reported in one answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, GetCoreSchemaHandler, ValidationError
from pydantic import GetJsonSchemaHandler as JsonHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.http import ApiError

T = TypeVar("T")
M = TypeVar("M", bound="Body")


class Body(BaseModel):
    """A request body: strict JSON types (no coercion), unknown fields ignored unless forbidden."""

    model_config = ConfigDict(strict=True, extra="ignore")
    # messages for unknown top-level fields that deserve a better word than "is not a known field"
    extra_messages: ClassVar[dict[str, str]] = {}


class Strict(Body):
    model_config = ConfigDict(strict=True, extra="forbid")


def fail(message: str) -> PydanticCustomError:
    """An issue raised from a validator; its message is answered as is."""
    return PydanticCustomError("invalid", message.replace("{", "{{").replace("}", "}}"))


def at_least_one(model: Body, fields: str = "") -> None:
    """A PATCH body must set something: raised from an after-validator when it sets nothing."""
    if not model.model_fields_set:
        what = f"one of {fields}" if fields else "field"
        raise fail(f"at least one {what} is required")


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "must not be null")
    return value


class _NotNullSchema:
    """Drops the `null` branch from a field's JSON schema (null is refused by `_not_null`)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: JsonHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        branches = [b for b in out.get("anyOf", []) if b != {"type": "null"}]
        return branches[0] if len(branches) == 1 and len(out) == 1 else out


# An optional field that may be left out but not sent as null.
Maybe = Annotated[T | None, BeforeValidator(_not_null), _NotNullSchema]


@dataclass(frozen=True)
class Between:
    """`lo <= n <= hi` for an integer, or for the length of an array (one message for both ends)."""

    lo: int
    hi: int | None = None

    def _check(self, value: Any) -> Any:
        n = len(value) if isinstance(value, list) else value
        if n < self.lo or (self.hi is not None and n > self.hi):
            if isinstance(value, list):
                raise fail(f"must have between {self.lo} and {self.hi} items")
            if self.hi is None:
                raise fail(f"must be at least {self.lo}")
            raise fail(f"must be between {self.lo} and {self.hi}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: JsonHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        array = out.get("type") == "array"
        out["minItems" if array else "minimum"] = self.lo
        if self.hi is not None:
            out["maxItems" if array else "maximum"] = self.hi
        return out


def path_of(loc: tuple[int | str, ...], prefix: str = "") -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_TYPES = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "string_unicode": "must be valid Unicode text",
    "bool_type": "must be a boolean",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def _message(err: Any, model: type[BaseModel], prefix: str) -> str:
    kind, ctx, loc = err["type"], err.get("ctx") or {}, err["loc"]
    if kind == "extra_forbidden":
        special: dict[str, str] = getattr(model, "extra_messages", {}) if len(loc) == 1 else {}
        return special.get(str(loc[-1]), "is not a known field")
    if kind == "model_type" and not loc and not prefix:
        return "must be a JSON object"
    if err.get("input", 0) is None and (kind.endswith("_type") or kind == "literal_error"):
        return "must not be null"
    if kind == "string_too_short":
        n = ctx["min_length"]
        return "must not be empty" if n == 1 else f"must be at least {n} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "literal_error":
        return "must be one of " + ", ".join(re.findall(r"'([^']*)'", str(ctx["expected"])))
    return _TYPES.get(kind, str(err["msg"]))


def issues_of(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> list[JSON]:
    return [
        {"path": path_of(tuple(e["loc"]), prefix), "message": _message(e, model, prefix)}
        for e in exc.errors(include_url=False)
    ]


class Issues:
    """Every issue of one request, collected across models and extra checks, then answered once."""

    def __init__(self, status: int = 422) -> None:
        self.status = status
        self.items: list[JSON] = []

    def parse(
        self, model: type[M], data: Any, *, prefix: str = "", context: Any = None
    ) -> M | None:
        """The validated model, or None after recording why not (an absent body is `{}`)."""
        if data is None and not prefix:
            data = {}
        try:
            return model.model_validate(data, context=context)
        except ValidationError as exc:
            self.items.extend(issues_of(exc, model, prefix))
            return None

    def add(self, path: str, message: str) -> None:
        self.items.append({"path": path, "message": message})

    def check(self) -> None:
        if self.items:
            first = self.items[0]
            raise ApiError(
                self.status,
                "VALIDATION",
                f"{first['path'] or 'body'}: {first['message']}",
                {"issues": list(self.items)},
            )


def parse(model: type[M], data: Any, *, status: int = 422, context: Any = None) -> M:
    """The validated body, or the VALIDATION error naming every issue."""
    issues = Issues(status)
    body = issues.parse(model, data, context=context)
    issues.check()
    assert body is not None
    return body
