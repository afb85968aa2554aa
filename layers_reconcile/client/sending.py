"""One logical request, paced and retried: the glue between the pacer, the retry policy and
one attempt over HTTP.

`Sender` owns the `httpx.AsyncClient`, the pacer and the redactor; `request` runs the retry
loop (policy in `retrying.py`), takes a pacing slot for each attempt (`pacing.py`) and sends
it (`transport.py`). `core.ClientCore` builds calls, pagination, `whoami` and job polling on it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
import stamina

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.client import network, transport
from layers_reconcile.client.decoding import ACCEPT_ENCODING
from layers_reconcile.client.endpoints import Endpoint, lookup, rate_of
from layers_reconcile.client.envelope import clean_api_key, parse_retry_after
from layers_reconcile.client.jobs import PollStats
from layers_reconcile.client.pacing import Pacer
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
from layers_reconcile.client.wire import BearerAuth, Response, request_url
from layers_reconcile.errors import ApiError, Attempts, RateLimitedError, TransportError

_log = logging.getLogger(__name__)

ORGANIZATION_HEADER = "X-Layers-Organization"
# No answer of the API comes near this (a page of 200 projects is well under 1 MB); a bigger one
# is refused while it streams, and not fetched again.
MAX_BODY_BYTES = 16 * 1024 * 1024

Clock = Callable[[], float]
# no connection made: where a proxy from the environment is in the way, it is said
_UNREACHED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError)
Sleep = Callable[[float], Awaitable[None]]


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


class Sender:
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
        self._proxies = ""  # the proxy variables httpx follows, said when one cannot connect
        self._http = self._client(base, api_key, transport, timeout)

    def _client(
        self,
        base: str,
        api_key: str,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
    ) -> httpx.AsyncClient:
        """The httpx client: the tool's transport (a cheaper readability check, `network.py`)
        unless given one, or httpx's own where the environment names a proxy."""
        try:
            if transport is None:
                transport = network.default_transport()  # None: httpx's own, for a proxy
                if transport is None:
                    self._proxies = " / ".join(network.proxy_variables())
            return httpx.AsyncClient(
                base_url=base,
                transport=transport,
                # the pool's limits where httpx builds the transport (a proxy from the environment)
                limits=network.LIMITS,
                auth=BearerAuth(api_key),
                timeout=httpx.Timeout(timeout),
                headers={
                    "Accept": "application/json",
                    "Accept-Encoding": ACCEPT_ENCODING,
                    "User-Agent": "layers-reconcile",
                },
                follow_redirects=False,
            )
        except (ImportError, ValueError, OSError) as exc:  # a proxy, SSL_CERT_FILE
            problem = network.unusable_environment(exc)
            if problem is None:
                raise
            raise problem from None

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
        try:
            return await self._attempts(call)
        except ApiError as exc:
            exc.attempts = Attempts(tuple(call.outcomes))  # what every attempt met, for advice
            raise

    async def _attempts(self, call: Call) -> Response:
        """Every attempt of `call` until one succeeds or `_backoff` says stop.

        The first attempt is sent straight away: almost every call succeeds at once, and
        stamina's retry context costs more per call than the rest of the client (a no-op plan
        of 1,000 customers sends 5,006 reads). Its failure is handed to stamina as stamina's
        own first attempt, so the backoff and the attempt numbers are exactly those of a loop
        begun before it. -v's retry lines are the client's own (`_log_retry`).
        """
        try:
            return await self._attempt(call, 1)
        except Exception as exc:  # BaseException (a cancel, Ctrl-C) is never retried
            first: Exception | None = exc
        retrying = stamina.retry_context(
            on=lambda exc: self._backoff(call, exc),
            attempts=self.max_attempts,
            timeout=self.retry_budget,
            wait_initial=WAIT_INITIAL,
            wait_max=WAIT_MAX,
            wait_jitter=WAIT_JITTER,
        )
        async for attempt in retrying:
            with attempt:
                if first is not None:  # stamina's first attempt is the one already made
                    failure, first = first, None
                    raise failure
                self.stats.retries += 1
                self._log_retry(call, attempt.num)
                return await self._attempt(call, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last failure")

    def _log_retry(self, call: Call, number: int) -> None:
        """-v's line for a retry, as it is made: what the last attempt met, which attempt this
        is, and the wait before it (a 429's is the pacer's hold on the class)."""
        if not _log.isEnabledFor(logging.INFO):
            return
        met = call.outcomes[-1] if call.outcomes else "a failure"
        if call.wait_next > 0:
            wait = f", in {call.wait_next:.1f} s"
        elif met == "429":
            wait = ", once the rate limit allows"
        else:
            wait = ""
        _log.info(
            "retrying %s %s (it met %s): attempt %d of %d%s",
            call.method,
            self._redactor.text(call.path),
            met,
            number,
            self.max_attempts,
            wait,
        )

    async def _attempt(self, call: Call, number: int) -> Response:
        """Attempt `number` of `call`: the wait its backoff asked for, its pacing slot, and the
        request itself."""
        if call.wait_next > 0:
            wait, call.wait_next = call.wait_next, 0.0
            await self._sleep(wait)
        waited, call.slot = await self._pacer.acquire(call.endpoint)
        self.stats.paced_seconds += waited
        try:
            return await self._send_once(call, number)
        finally:
            self._pacer.answered(call.endpoint, call.slot)

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
        url = request_url(self._http.base_url, call.path, call.params)
        if url is None:
            request = self._http.build_request(
                call.method, call.path, params=call.params, json=call.body, headers=call.headers
            )
        else:
            request = self._http.build_request(
                call.method, url, json=call.body, headers=call.headers
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
                answer = await transport.fetch(self._http, request, self.max_body_bytes)
        except TimeoutError:
            call.outcomes.append("no answer in time")
            call.delivery = Delivery.AMBIGUOUS
            failure = TransportError(
                f"no complete answer within {deadline:.3g} s (the deadline of one attempt)",
                method=call.method,
                path=self._redactor.text(call.path),
            )
        except transport.Refused as exc:
            failure = transport.refused(call, exc, self._redactor)
        except httpx.HTTPError as exc:
            call.delivery = delivery_of(exc)
            call.outcomes.append(outcome_of(exc))
            if isinstance(exc, httpx.ConnectError):
                call.refusals += 1
            path = self._redactor.text(call.path)
            _log.debug("%s %s -> %s (attempt %d)", call.method, path, type(exc).__name__, attempt)
            proxies = self._proxies if isinstance(exc, _UNREACHED) else ""
            failure = transport.transport_failure(call, exc, self._redactor, proxies=proxies)
        if failure is not None:
            raise failure
        assert answer is not None
        return self._answer(call, attempt, *answer)

    def _request_id(self, headers: httpx.Headers) -> str | None:
        return transport.request_id(self._redactor, headers)

    def _answer(self, call: Call, attempt: int, raw: httpx.Response, content: bytes) -> Response:
        status = raw.status_code
        headers = raw.headers
        if self.organization is None:
            # Inside a child the server may count in a bucket of the child's own (CONTRACT-revb
            # leaves it open): only the key's own organization's answers are followed.
            self._pacer.observe(call.endpoint, headers, call.slot)
        if _log.isEnabledFor(logging.DEBUG):  # the redacted path and id only for a reader
            _log.debug(
                "%s %s -> %d (attempt %d, requestId %s)",
                call.method,
                self._redactor.text(call.path),
                status,
                attempt,
                self._request_id(headers),
            )
        if status in call.expect:
            return transport.success(call, status, content, headers, self._redactor)
        error = transport.failure(call, status, content, headers, self._redactor)
        if isinstance(error, RateLimitedError):
            self.stats.rate_limited += 1
            if error.retry_after is not None:
                self._pacer.penalize(call.endpoint, error.retry_after)
        elif status == 503:
            call.retry_after = parse_retry_after(headers.get("retry-after"))
        raise error


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}
