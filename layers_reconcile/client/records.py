"""Checking answers against the typed wire records of `layers_reconcile.records`.

The records are TypedDicts; each gets a pydantic TypeAdapter here, so the one description is
both what mypy checks in plan and apply and what every answer is validated against. An answer of
the wrong shape is an `UnexpectedAnswerError` naming the call, never a plan. `check` returns the
body itself (validated, not copied): consumers read the JSON the API sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, cast

from pydantic import AfterValidator, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from layers_reconcile import records
from layers_reconcile.client.wire import id_problem
from layers_reconcile.errors import UnexpectedAnswerError

T = TypeVar("T")


@dataclass(frozen=True)
class Shape(Generic[T]):
    """One wire record: what an error calls it and the validator built from its TypedDict."""

    label: str
    adapter: TypeAdapter[Any]

    @classmethod
    def of(cls, record: type[T], label: str, after: Callable[[Any], Any] | None = None) -> Shape[T]:
        typ: Any = record if after is None else Annotated[record, AfterValidator(after)]
        return cls(label, TypeAdapter(typ))


# The ids of records that later name a resource in a path (`segment()` checks them again).
ID_KEYS = frozenset(
    {
        "id",
        "jobId",
        "containerId",
        "influencerId",
        "socialAccountId",
        "scheduledPostId",
        "projectId",
        "installationId",
    }
)


def _either_id(named: str) -> Callable[[Any], Any]:
    """Rev A names the id after the resource (`influencerId`); Rev B calls it `id`."""

    def has_an_id(value: Any) -> Any:
        own, other = value.get("id"), value.get(named)
        if own is None and not (isinstance(other, str) and other):
            raise ValueError(f"neither '{named}' nor 'id' is there")
        return value

    return has_an_id


# Any JSON object, read as a plain dict (whoami, PATCH answers, list items not checked further).
Record: Shape[records.JsonObject] = Shape("answer", TypeAdapter(records.Answer))
Listed: Shape[records.JsonObject] = Shape("list item", TypeAdapter(records.Answer))
Page = Shape.of(records.Page, "page")
Project = Shape.of(records.Project, "project")
Container = Shape.of(records.Container, "content container")
ScheduledPost = Shape.of(records.ScheduledPost, "scheduled post")
Job = Shape.of(records.Job, "job")
Installation = Shape.of(records.Installation, "installation")
SocialAccount = Shape.of(records.SocialAccount, "social account", _either_id("socialAccountId"))
Influencer = Shape.of(records.Influencer, "influencer", _either_id("influencerId"))


def describe_problem(exc: PydanticValidationError) -> str:
    """The first problem, as `field: what is wrong` (never the value: it may be anything)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"'{where}' is missing"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"'{where}': {message[:1].lower()}{message[1:]}" if where else message


def check(shape: Shape[T], body: Any, *, method: str, path: str, request_id: str | None) -> T:
    """`body` when it has the shape of `shape`; else UnexpectedAnswerError naming the call."""
    if not isinstance(body, dict):
        raise UnexpectedAnswerError(
            f"expected a JSON object, got {_kind(body)}",
            method=method,
            path=path,
            request_id=request_id,
        )
    try:
        shape.adapter.validate_python(body)
    except PydanticValidationError as exc:
        raise UnexpectedAnswerError(
            f"{shape.label}: {describe_problem(exc)}",
            method=method,
            path=path,
            request_id=request_id,
        ) from None
    for key in ID_KEYS.intersection(body):
        value = body[key]
        problem = id_problem(value) if isinstance(value, str) else None
        if problem is not None:
            raise UnexpectedAnswerError(
                f"{shape.label}: '{key}': {problem}",
                method=method,
                path=path,
                request_id=request_id,
            )
    return cast(T, body)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
