"""What crosses the wire: the bearer credential, path segments and a successful answer."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from layers_reconcile.errors import ApiError


def segment(value: str | int) -> str:
    """One path segment, escaped so an id can never change the route."""
    return quote(str(value), safe="")


class BearerAuth(httpx.Auth):
    """Adds `Authorization: Bearer` to each request.

    The key lives in a closure, not an attribute, so no repr, `vars()` or serialiser that walks
    the client's attributes can reach it.
    """

    def __init__(self, api_key: str) -> None:
        header = f"Bearer {api_key}"
        self._header: Callable[[], str] = lambda: header

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header()
        yield request


@dataclass(frozen=True)
class Response:
    """A successful answer: status, parsed JSON (None when there was no body) and headers."""

    status: int
    json: Any
    headers: httpx.Headers

    @property
    def etag(self) -> str | None:
        value: str | None = self.headers.get("etag")
        return value

    @property
    def request_id(self) -> str | None:
        rid: str | None = self.headers.get("x-request-id")
        if rid is None and isinstance(self.json, dict):
            value = self.json.get("requestId")
            rid = value if isinstance(value, str) else None
        return rid


def as_dict(response: Response, method: str, path: str) -> dict[str, Any]:
    """The body of `response` as a JSON object, or an ApiError naming the call."""
    if not isinstance(response.json, dict):
        raise ApiError("expected a JSON object", status=response.status, method=method, path=path)
    return response.json


def as_item(item: Any, path: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ApiError("expected list items to be JSON objects", method="GET", path=path)
    return item
