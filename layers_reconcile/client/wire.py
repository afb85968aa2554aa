"""What crosses the wire: the bearer credential, path segments and a successful answer
(checked against its wire record in `records.py`)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx


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
