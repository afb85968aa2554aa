"""The transport core of the Layers API client: one logical request, paced and retried.

`ClientCore` owns the `httpx.AsyncClient`, the pacer and the retry loop (policy in
`retrying.py`), and builds pagination, `whoami` and job polling on top of `request`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar, overload

import httpx
import stamina

from layers_reconcile import records
from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.client import endpoints
from layers_reconcile.client.decoding import (
    ACCEPT_ENCODING,
    BodyRefused,
    TooDeep,
    decode_json,
    read_body,
    too_big,
)
from layers_reconcile.client.endpoints import Endpoint, lookup, rate_of
from layers_reconcile.client.envelope import clean_api_key, error_from_response, parse_retry_after
from layers_reconcile.client.jobs import OnProgress, PollStats
from layers_reconcile.client.jobs import wait_for_job as _wait_for_job
from layers_reconcile.client.pacing import Pacer
from layers_reconcile.client.records import Listed, Page, Record, Shape, check
from layers_reconcile.client.redaction import Redactor
from layers_reconcile.client.retrying import (
    MUTATING,
    WAIT_INITIAL,
    WAIT_JITTER,
    WAIT_MAX,
    Call,
    Delivery,
    decide,
    delivery_of,
    outcome_of,
    repeatable,
)
from layers_reconcile.client.wire import BearerAuth, Response
from layers_reconcile.errors import (
    ApiError,
    Attempts,
    RateLimitedError,
    TransportError,
    UnexpectedAnswerError,
)
from layers_reconcile.printable import printable
from layers_reconcile.records import JsonObject

_log = logging.getLogger(__name__)

ORGANIZATION_HEADER = "X-Layers-Organization"
FIRST_REQUEST_REFUSALS = 2  # attempts of a run's first request while the connection is refused
# No answer of the API comes near this (a page of 200 projects is well under 1 MB); a bigger one
# is refused while it streams, and not fetched again.
MAX_BODY_BYTES = 16 * 1024 * 1024

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

T = TypeVar("T")


@dataclass
class ClientStats:
    """Counters for benchmarks and progress: attempts sent, retries, 429s, pacing, polls."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    paced_seconds: float = 0.0
    by_class: dict[str, int] = field(default_factory=dict)
    jobs: PollStats = field(default_factory=PollStats)

    @property
    def polls(self) -> int:
        return self.jobs.polls

    @property
    def jobs_waited(self) -> int:
        return self.jobs.jobs


class ClientCore:
    """One `httpx.AsyncClient` speaking to the Layers API; use `async with` to open and close."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        max_attempts: int = 6,
        timeout: float = 30.0,
        retry_budget: float = 120.0,
        rate_share: float = 1.0,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        """`timeout` bounds each attempt as a whole (connecting, sending, the whole answer);
        `retry_budget` bounds all attempts of one request. ValueError for an unusable key."""
        api_key = clean_api_key(api_key)
        base = base_url.rstrip("/")
        if base.endswith("/v1"):
            base = base[: -len("/v1")]
        self.base_url = base
        self.max_attempts = max(1, max_attempts)
        self.retry_budget = retry_budget
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self._clock: Clock = clock or time.monotonic
        self._sleep: Sleep = sleep or asyncio.sleep
        self._redactor = Redactor(api_key)
        self._pacer = Pacer(self._clock, self._sleep, share=rate_share)
        self.stats = ClientStats()
        # The API revision the run speaks (`apirevision.settle`), set once after the first
        # whoami; the helpers whose path or body differ by revision read it.
        self.revision: ApiRevision = "a"
        # The child organization every request of this view acts inside (None: the key's own).
        self.organization: str | None = None
        self._http = httpx.AsyncClient(
            base_url=base,
            transport=transport,
            auth=BearerAuth(api_key),
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "User-Agent": "layers-reconcile",
            },
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, tier={self.tier!r})"

    def inside(self, organization_id: str) -> Self:
        """A view of this client whose every request acts inside that child organization
        (`X-Layers-Organization`), sharing the connection, pacing, stats and redaction: the key
        never leaves the one place it lives. Closing the view is closing the client."""
        view = copy.copy(self)
        view.organization = organization_id
        return view

    @property
    def tier(self) -> str | None:
        """The key's `rateLimitTier` once `whoami` ran; None means unpaced."""
        return self._pacer.tier

    @property
    def pacer(self) -> Pacer:
        return self._pacer

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- requests -----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        expect: Iterable[int] = (200, 201, 202),
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        refusals_allowed: int | None = None,
        endpoint: Endpoint[Any] | None = None,
    ) -> Response:
        """Send one logical request, paced and retried; raise the mapped error on failure.

        `idempotent` says whether sending the request twice does no more than once; by default
        true for every method but a POST without `idempotency_key` (see `retrying.repeatable`).
        `endpoint` is the declaration the request goes to (looked up from the path if not given).
        """
        method = method.upper()
        if endpoint is None:
            endpoint = lookup(method, path)
        send_headers = dict(headers or {})
        if self.organization is not None:
            send_headers[ORGANIZATION_HEADER] = self.organization
        if method in MUTATING:
            send_headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        if idempotent is None:
            idempotent = repeatable(
                method, path, idempotency_key=idempotency_key, endpoint=endpoint
            )
        call = Call(
            method=method,
            path=path,
            params=_clean(params),
            body=json,
            headers=send_headers,
            expect=tuple(expect),
            repeatable=idempotent,
            endpoint=rate_of(method, path, endpoint),
            started=self._clock(),
            refusals_allowed=refusals_allowed,
        )
        retrying = stamina.retry_context(
            on=lambda exc: self._backoff(call, exc),
            attempts=self.max_attempts,
            timeout=self.retry_budget,
            wait_initial=WAIT_INITIAL,
            wait_max=WAIT_MAX,
            wait_jitter=WAIT_JITTER,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.num > 1:
                        self.stats.retries += 1
                    if call.wait_next > 0:
                        wait, call.wait_next = call.wait_next, 0.0
                        await self._sleep(wait)
                    waited, call.slot = await self._pacer.acquire(call.endpoint)
                    self.stats.paced_seconds += waited
                    try:
                        return await self._send_once(call, attempt.num)
                    finally:
                        self._pacer.answered(call.endpoint, call.slot)
        except ApiError as exc:
            exc.attempts = Attempts(tuple(call.outcomes))  # what every attempt met, for advice
            raise
        raise AssertionError("unreachable: stamina re-raises the last failure")

    def _backoff(self, call: Call, exc: Exception) -> bool | float:
        """`decide` whether to retry; the exponential, jittered wait is slept by the client's own
        sleep (on its clock), never by stamina's. stamina's test mode still skips it."""
        decision = decide(call, exc, budget_left=self._budget_left(call))
        if decision is not True:
            return decision
        if not stamina.is_testing():
            exponent = max(0, call.attempts - 1)
            jitter = random.uniform(0, WAIT_JITTER)
            call.wait_next = min(WAIT_MAX, WAIT_INITIAL * 2**exponent + jitter)
        return 0.0

    def _budget_left(self, call: Call) -> float:
        return self.retry_budget - (self._clock() - call.started)

    async def _send_once(self, call: Call, attempt: int) -> Response:
        call.new_attempt()
        self.stats.requests += 1
        self.stats.by_class[call.endpoint] = self.stats.by_class.get(call.endpoint, 0) + 1
        request = self._http.build_request(
            call.method, call.path, params=call.params, json=call.body, headers=call.headers
        )
        # The whole attempt, body included, within the per-attempt deadline and what is left of
        # the retry budget: httpx's timeouts bound only each gap between bytes.
        deadline = max(0.05, min(self.timeout, self._budget_left(call)))
        failure: ApiError | None = None
        answer: tuple[httpx.Response, bytes] | None = None
        # The httpx exception holds the request and so the key: keep only its name and text,
        # and raise ours outside the `except` so that it does not chain the original.
        try:
            async with asyncio.timeout(deadline):
                answer = await self._fetch(request)
        except TimeoutError:
            call.outcomes.append("no answer in time")
            call.delivery = Delivery.AMBIGUOUS
            failure = TransportError(
                f"no complete answer within {deadline:.3g} s (the deadline of one attempt)",
                method=call.method,
                path=self._redactor.text(call.path),
            )
        except _Refused as exc:
            failure = UnexpectedAnswerError(
                exc.reason,
                status=exc.status,
                method=call.method,
                path=self._redactor.text(call.path),
                request_id=self._request_id(exc.headers),
            )
        except httpx.HTTPError as exc:
            call.delivery = delivery_of(exc)
            call.outcomes.append(outcome_of(exc))
            if isinstance(exc, httpx.ConnectError):
                call.refusals += 1
            failure = self._transport_failure(call, attempt, exc)
        if failure is not None:
            raise failure
        assert answer is not None
        return self._answer(call, attempt, *answer)

    async def _fetch(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        """The answer and its body, decoded as it streams and refused past `max_body_bytes`
        (as sent or decoded; see `decoding.read_body`)."""
        raw = await self._http.send(request, stream=True)
        try:
            declared = raw.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise too_big(self.max_body_bytes)
            if raw.is_stream_consumed:  # built in memory (a test transport): already decoded
                body = raw.content
                if len(body) > self.max_body_bytes:
                    raise too_big(self.max_body_bytes)
            else:
                body = await read_body(
                    raw.headers.get("content-encoding", ""), raw.aiter_raw(), self.max_body_bytes
                )
        except BodyRefused as exc:
            raise _Refused(raw.status_code, raw.headers, exc.reason) from None
        finally:
            await raw.aclose()
        return raw, body

    def _request_id(self, headers: httpx.Headers) -> str | None:
        return printable(self._redactor.text(headers.get("x-request-id") or "")) or None

    def _transport_failure(self, call: Call, attempt: int, exc: Exception) -> TransportError:
        name = type(exc).__name__
        detail = self._redactor.text(str(exc))
        path = self._redactor.text(call.path)
        _log.debug("%s %s -> %s (attempt %d)", call.method, path, name, attempt)
        message = f"no usable answer: {name}" + (f" ({detail})" if detail else "")
        return TransportError(message, method=call.method, path=path)

    def _answer(self, call: Call, attempt: int, raw: httpx.Response, content: bytes) -> Response:
        status = raw.status_code
        headers = raw.headers
        if self.organization is None:
            # Inside a child the server may count in a bucket of the child's own (CONTRACT-revb
            # leaves it open): only the key's own organization's answers are followed.
            self._pacer.observe(call.endpoint, headers, call.slot)
        _log.debug(
            "%s %s -> %d (attempt %d, requestId %s)",
            call.method,
            self._redactor.text(call.path),
            status,
            attempt,
            self._request_id(headers),
        )
        if status in call.expect:
            return self._success(call, status, content, headers)
        call.outcomes.append(str(status))
        if status < 400:
            raise ApiError(
                f"unexpected HTTP {status}",
                status=status,
                method=call.method,
                path=self._redactor.text(call.path),
            )
        error = error_from_response(
            status,
            content,
            headers,
            method=call.method,
            path=call.path,
            redactor=self._redactor,
        )
        if isinstance(error, RateLimitedError):
            self.stats.rate_limited += 1
            if error.retry_after is not None:
                self._pacer.penalize(call.endpoint, error.retry_after)
        elif status == 503:
            call.retry_after = parse_retry_after(headers.get("retry-after"))
        raise error

    def _success(self, call: Call, status: int, content: bytes, headers: httpx.Headers) -> Response:
        # A server echoing the key (or a part of it, re-cased, \u-escaped, split by invisible
        # characters) must not get it shown: every decoded string and header is redacted.
        headers = httpx.Headers(
            [(name, self._redactor.text(value)) for name, value in headers.multi_items()]
        )
        if not content.strip():
            return Response(status, None, headers)
        problem: tuple[type[ApiError], str] | None = None
        try:
            body = decode_json(content)
        except TooDeep as exc:
            problem = (UnexpectedAnswerError, str(exc))
        except ValueError:
            problem = (TransportError, f"HTTP {status} with a body that is not JSON")
        if problem is not None:
            call.outcomes.append("an unreadable body")
            raise problem[0](
                problem[1],
                status=status,
                method=call.method,
                path=self._redactor.text(call.path),
                request_id=self._request_id(headers),
            )
        return Response(status, self._redactor.value(body), headers)

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

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.checked(Record, await self.request("GET", path, params=params), "GET", path)

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
        on_progress: OnProgress | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (a deadline in job time, not a cancel scope)
        elapsed: float = 0.0,
    ) -> records.Job:
        """Poll `GET /v1/jobs/:id` (ETag aware) until terminal; return the final job, parsed.

        `elapsed` is how long the job has already run (when resuming). Raises JobFailedError
        (with the job's `error.code`) or JobTimeoutError (default deadline: 10·expected + 60 s).
        """

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
            on_progress=on_progress,
            timeout=timeout,
            elapsed=elapsed,
            spare=lambda: self._pacer.spare(endpoints.GET_JOB.rate),
        )
        path = self._redactor.text(endpoints.GET_JOB.path(job_id))
        return check(endpoints.GET_JOB.record, final, method="GET", path=path, request_id=None)


class _Refused(Exception):
    def __init__(self, status: int, headers: httpx.Headers, reason: str) -> None:
        self.status = status
        self.headers = headers
        self.reason = reason


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}
