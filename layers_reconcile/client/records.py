"""Checking answers against the typed wire records of `layers_reconcile.records`.

Each record gets a pydantic TypeAdapter here (built once), so the one description is both what
mypy checks in plan and apply and what every answer is validated against. An answer of the wrong
shape is an `UnexpectedAnswerError` naming the call, never a plan. A parsed record (a frozen
`records.Model`) is returned as the model built from the answer; a TypedDict record (a list page) returns the body
itself (validated, not copied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from pydantic import TypeAdapter
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
    parsed: bool = False  # a model: `check` returns what the adapter built

    @classmethod
    def of(cls, record: type[T], label: str) -> Shape[T]:
        parsed = isinstance(record, type) and issubclass(record, records.Model)
        return cls(label, TypeAdapter(record), parsed)


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


# Any JSON object, read as a plain dict (list items not checked further).
Listed: Shape[records.JsonObject] = Shape("list item", TypeAdapter(records.AnyObject))
Answer = Shape.of(records.Answer, "answer")
Whoami = Shape.of(records.Whoami, "whoami")
Page = Shape.of(records.Page, "page")
Project = Shape.of(records.Project, "project")
Container = Shape.of(records.Container, "content container")
ScheduledPost = Shape.of(records.ScheduledPost, "scheduled post")
Job = Shape.of(records.Job, "job")
Installation = Shape.of(records.InstallationAnswer, "installation")
SocialAccount = Shape.of(records.SocialAccount, "social account")
Influencer = Shape.of(records.Influencer, "influencer")
ConsentUrl = Shape.of(records.ConsentUrl, "consent URL")
OAuthStatus = Shape.of(records.OAuthStatus, "OAuth status")
ApprovalPolicy = Shape.of(records.ApprovalPolicy, "approval policy")
ReviewPolicy = Shape.of(records.ReviewPolicy, "content review policy")
ScheduleAnswer = Shape.of(records.ScheduleAnswer, "schedule answer")
Organization = Shape.of(records.Organization, "organization")
CreditConfig = Shape.of(records.CreditConfig, "credit config")
CreditEvent = Shape.of(records.CreditEvent, "credit event")
Transfer = Shape.of(records.Transfer, "transfer")
Migration = Shape.of(records.Migration, "migration")
Archived = Shape.of(records.Archived, "archived organization")


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
        value = shape.adapter.validate_python(body)
    except PydanticValidationError as exc:
        raise UnexpectedAnswerError(
            f"{shape.label}: {describe_problem(exc)}",
            method=method,
            path=path,
            request_id=request_id,
        ) from None
    for key in ID_KEYS.intersection(body):
        given = body[key]
        problem = id_problem(given) if isinstance(given, str) else None
        if problem is not None:
            raise UnexpectedAnswerError(
                f"{shape.label}: '{key}': {problem}",
                method=method,
                path=path,
                request_id=request_id,
            )
    return cast(T, value if shape.parsed else body)


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
