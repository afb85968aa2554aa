"""The Layers API client's core: declared calls, pagination, `whoami` and job polling.

`ClientCore` builds on `sending.Sender` (one logical request, paced and retried; one attempt
over HTTP in `transport.py`); `api.LayersClient` adds a helper per endpoint on top.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar, overload

from layers_reconcile import records
from layers_reconcile.client import endpoints
from layers_reconcile.client.endpoints import Endpoint
from layers_reconcile.client.jobs import OnProgress
from layers_reconcile.client.jobs import wait_for_job as _wait_for_job
from layers_reconcile.client.records import Listed, Page, Shape, check
from layers_reconcile.client.sending import Sender
from layers_reconcile.client.wire import Response
from layers_reconcile.errors import UnexpectedAnswerError
from layers_reconcile.records import JsonObject

FIRST_REQUEST_REFUSALS = 2  # attempts of a run's first request while the connection is refused

T = TypeVar("T")


class ClientCore(Sender):
    """The Layers API client without its per-endpoint helpers; use `async with` to open and close."""

    # -- reading ------------------------------------------------------------------------------

    @overload
    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[JsonObject]: ...
    @overload
    def paginate(
        self, path: str, params: Mapping[str, Any] | None, record: Shape[T]
    ) -> AsyncIterator[T]: ...
    async def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        record: Shape[Any] = Listed,
    ) -> AsyncIterator[Any]:
        """Every item of a cursor-paginated list (`items` + `nextCursor`), page by page; each
        item must have the shape of `record` (by default: an object with an `id`)."""
        async for item in self._pages(path, params, record, None):
            yield item

    async def _pages(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        record: Shape[T],
        endpoint: Endpoint[Any] | None,
    ) -> AsyncIterator[T]:
        query = dict(params or {})
        seen: set[str] = set()
        while True:
            answer = await self.request("GET", path, params=query, endpoint=endpoint)
            rid = self._request_id(answer.headers)
            page = check(Page, answer.json, method="GET", path=path, request_id=rid)
            for item in page["items"]:
                yield check(record, item, method="GET", path=path, request_id=rid)
            cursor = page.get("nextCursor")
            if not cursor:
                return
            if cursor in seen:
                raise UnexpectedAnswerError(
                    "the API returned the same cursor twice",
                    method="GET",
                    path=path,
                    request_id=rid,
                )
            seen.add(cursor)
            query["cursor"] = cursor

    @overload
    async def list_all(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[JsonObject]: ...
    @overload
    async def list_all(
        self, path: str, params: Mapping[str, Any] | None, record: Shape[T]
    ) -> list[T]: ...
    async def list_all(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        record: Shape[Any] = Listed,
    ) -> list[Any]:
        return [item async for item in self.paginate(path, params, record)]

    async def call(
        self,
        endpoint: Endpoint[T],
        *values: str | int,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        **request: Any,
    ) -> T:
        """One call of a declared endpoint (`values` fill its path), its answer checked against
        the endpoint's record."""
        path = endpoint.path(*values)
        answer = await self.request(
            endpoint.method,
            path,
            json=body,
            params=params,
            idempotency_key=idempotency_key,
            endpoint=endpoint,
            **request,
        )
        return self.checked(endpoint.record, answer, endpoint.method, path)

    async def list_of(
        self, endpoint: Endpoint[T], *values: str | int, params: Mapping[str, Any] | None = None
    ) -> list[T]:
        """Every item of a declared paginated list, each checked against the endpoint's record."""
        path = endpoint.path(*values)
        return [item async for item in self._pages(path, params, endpoint.record, endpoint)]

    def checked(self, record: Shape[T], answer: Response, method: str, path: str) -> T:
        """The body of `answer` when it has the shape of `record`, else UnexpectedAnswerError."""
        return check(
            record,
            answer.json,
            method=method,
            path=self._redactor.text(path),
            request_id=self._request_id(answer.headers),
        )

    async def whoami(self) -> records.Whoami:
        """Who the key is; also reads `rateLimitTier` and starts pacing for it."""
        first = self.stats.requests == 0
        who = await self.call(
            endpoints.WHOAMI, refusals_allowed=FIRST_REQUEST_REFUSALS if first else None
        )
        self._pacer.configure(who.rate_limit_tier)
        return who

    # -- jobs ---------------------------------------------------------------------------------

    async def wait_for_job(
        self,
        job_id: str,
        *,
        expected_seconds: float,
        timeout: float | None = None,  # noqa: ASYNC109 (a deadline in job time, not a cancel scope)
        elapsed: float = 0.0,
        on_job: Callable[[records.Job], object] | None = None,
    ) -> records.Job:
        """Poll `GET /v1/jobs/:id` (ETag aware) until terminal; return the final job, parsed.

        `elapsed` is how long the job has already run (when resuming). Raises JobFailedError
        (with the job's `error.code`) or JobTimeoutError (default deadline: 10·expected + 60 s).
        `on_job` hears each new state as a record (a state that is no job record is not heard:
        progress is for the eye, the final answer is checked).
        """
        path = self._redactor.text(endpoints.GET_JOB.path(job_id))

        async def fetch(job_id: str, etag: str | None) -> Response:
            return await self.request(
                "GET",
                endpoints.GET_JOB.path(job_id),
                headers={"If-None-Match": etag} if etag else None,
                expect=(200, 304),
                endpoint=endpoints.GET_JOB,
            )

        final = await _wait_for_job(
            fetch,
            job_id,
            expected_seconds=expected_seconds,
            clock=self._clock,
            sleep=self._sleep,
            stats=self.stats.jobs,
            on_progress=None if on_job is None else _heard(on_job),
            timeout=timeout,
            elapsed=elapsed,
            spare=lambda: self._pacer.spare(endpoints.GET_JOB.rate),
        )
        return check(endpoints.GET_JOB.record, final, method="GET", path=path, request_id=None)


def _heard(on_job: Callable[[records.Job], object]) -> OnProgress:
    """The poller's hook for each fresh body: the job parsed, to `on_job`."""

    async def heard(body: JsonObject) -> None:
        result = _job_or_none(body, on_job)
        if inspect.isawaitable(result):
            await result

    return heard


def _job_or_none(body: JsonObject, on_job: Callable[[records.Job], object]) -> object:
    try:
        job = check(endpoints.GET_JOB.record, body, method="GET", path="", request_id=None)
    except UnexpectedAnswerError:
        return None
    return on_job(job)
