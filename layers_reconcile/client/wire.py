"""What crosses the wire: the bearer credential, path segments and a successful answer
(checked against its wire record in `records.py`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from layers_reconcile.errors import UnexpectedAnswerError
from layers_reconcile.printable import printable


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id of the API (None when it can): empty, `.` or `..` (a path
    would climb: `/v1/projects/..` is `/v1`), or holding a control or bidi character."""
    if value in ("", ".", ".."):
        return f"the id {value!r} cannot name a resource"
    if printable(value) != value:
        return f"the id '{printable(value)}' holds a control or bidi character"
    return None


def segment(value: str | int) -> str:
    """One path segment, escaped so an id can never change the route: an id `id_problem`
    refuses is an UnexpectedAnswerError (ids come from the API's answers)."""
    text = str(value)
    problem = id_problem(text)
    if problem is not None:
        raise UnexpectedAnswerError(problem)
    return quote(text, safe="")


# A path httpx keeps exactly as written: unreserved characters, sub-delimiters, ":", "@", "/" and
# percent-escapes; no "?" or "#" to split off, nothing to escape, no dot segment to resolve, no
# "//" to start it (httpx reads `//host/...` as another host).
_PLAIN_PATH = re.compile(r"(?!//)(?!.*/\.)/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")


def request_url(base: httpx.URL, path: str, params: Mapping[str, Any] | None) -> httpx.URL | None:
    """The URL `httpx.AsyncClient.build_request` makes of `path` and `params` under `base` (the
    client's `base_url`, which httpx ends with "/"), parsed once: httpx parses the path, then the
    joined URL, then the URL with its query again (about 0.1 ms a request). None when the path
    is not plain (`_PLAIN_PATH`), `params` is empty or the base has a query or fragment: the
    caller lets httpx build it. `tests/client/test_request_url.py` holds both ways equal."""
    if (params is not None and not params) or not _PLAIN_PATH.fullmatch(path):
        return None
    # httpx puts the path after a query or a fragment, even an empty one ("https://h/p#"):
    # its own odd join. A "#" in the text of the base is its fragment mark (elsewhere escaped).
    if base.query or "#" in str(base):
        return None
    userinfo = base.userinfo.decode("ascii")
    url = "".join(
        (
            f"{base.scheme}://",
            f"{userinfo}@" if userinfo else "",
            base.netloc.decode("ascii"),
            base.raw_path.decode("ascii"),
            path.lstrip("/"),
        )
    )
    if params:
        url += "?" + str(httpx.QueryParams(params))
    return httpx.URL(url)


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
