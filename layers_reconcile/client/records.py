"""Typed wire records: what each answer must contain before the reconciler uses it.

Only the fields the reconciler relies on are declared; everything else the API sends is kept
(`extra="allow"`), so a newer API that adds fields still validates. The helpers of `api.py`
validate with these and still return plain dicts: the consumers read them as before.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, model_validator
from pydantic import ValidationError as PydanticValidationError

from layers_reconcile.client.wire import Response
from layers_reconcile.errors import UnexpectedAnswerError


class Record(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    label: ClassVar[str] = "answer"  # what the error calls it


class Project(Record):
    label = "project"
    id: StrictStr
    customerExternalId: StrictStr | None  # present on every project; null when unbound
    name: StrictStr | None = None
    status: StrictStr | None = None
    metadata: dict[str, Any] | None = None


class Container(Record):
    label = "content container"
    id: StrictStr
    status: StrictStr | None = None


class ScheduledPost(Record):
    label = "scheduled post"
    id: StrictStr
    status: StrictStr | None = None


class Job(Record):
    """A job-starting answer (202) or a poll of `GET /v1/jobs/:id`."""

    label = "job"
    jobId: StrictStr
    status: StrictStr | None = None


class Installation(Record):
    label = "installation"
    installationId: StrictInt | StrictStr
    installations: list[dict[str, Any]] | None = None


class _EitherId(Record):
    """Rev A names the id after the resource (`influencerId`); Rev B calls it `id`."""

    named_id: ClassVar[str] = "id"
    id: StrictStr | None = None

    @model_validator(mode="after")
    def _has_an_id(self) -> _EitherId:
        named = (self.model_extra or {}).get(self.named_id)
        if self.id is None and not (isinstance(named, str) and named):
            raise ValueError(f"neither '{self.named_id}' nor 'id' is there")
        return self


class SocialAccount(_EitherId):
    label = "social account"
    named_id = "socialAccountId"
    platform: StrictStr | None = None


class Influencer(_EitherId):
    label = "influencer"
    named_id = "influencerId"


class Page(Record):
    """One page of a cursor-paginated list."""

    label = "page"
    items: list[dict[str, Any]]
    nextCursor: StrictStr | None = None


class Listed(Record):
    """One item of a list page whose shape is not checked further: a JSON object."""

    label = "list item"


def describe_problem(exc: PydanticValidationError) -> str:
    """The first problem, as `field: what is wrong` (never the value: it may be anything)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"'{where}' is missing"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"'{where}': {message[:1].lower()}{message[1:]}" if where else message


def check(
    model: type[Record], body: Any, *, method: str, path: str, request_id: str | None
) -> dict[str, Any]:
    """`body` when it has the shape of `model`; else UnexpectedAnswerError naming the call."""
    if not isinstance(body, dict):
        raise UnexpectedAnswerError(
            f"expected a JSON object, got {_kind(body)}",
            method=method,
            path=path,
            request_id=request_id,
        )
    try:
        model.model_validate(body)
    except PydanticValidationError as exc:
        raise UnexpectedAnswerError(
            f"{model.label}: {describe_problem(exc)}",
            method=method,
            path=path,
            request_id=request_id,
        ) from None
    return body


def check_response(
    model: type[Record], response: Response, *, method: str, path: str
) -> dict[str, Any]:
    return check(model, response.json, method=method, path=path, request_id=response.request_id)


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
