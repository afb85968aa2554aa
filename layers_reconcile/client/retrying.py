"""When a failed attempt is sent again, and how long to wait first.

Retried: connection errors, timeouts, 5xx and 429, with stamina's jittered exponential backoff
(0.5 s doubling to at most 10 s, plus up to 1 s of jitter) within `max_attempts` attempts and
`retry_budget` seconds. A 429 holds its endpoint class for exactly `Retry-After` (the pacer does
the waiting, for every caller of that class); a 503's `Retry-After` is waited exactly too. Other
4xx, and 503 KILL_SWITCH (a killed key stays killed), are never retried. The first request of a
run (whoami) that finds the connection refused is tried twice, a quarter second apart, then fails
at once: a wrong --api-url should not cost twenty seconds of backoff.

Every attempt of one mutating call carries the same `Idempotency-Key`: the caller's, or one
generated for the call. A POST whose caller gave no key may reach an endpoint that ignores keys,
so it is resent only when the request surely did no work (connection refused, 429, 503), never
after an ambiguous failure (timeout or broken connection after sending, 500, 502, 504): pass an
`idempotency_key`, or `idempotent=True` for a POST that is naturally repeatable, to get those
retries too. A few POSTs are repeatable by nature and declared so (`endpoints.py`): asking for an
OAuth URL again only mints another short-lived state, approving sets a state, rescheduling sets
an absolute time. GET, PATCH and DELETE are repeatable and always retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx

from layers_reconcile.client.endpoints import Endpoint, EndpointClass, retry_safe
from layers_reconcile.errors import (
    ApiServerError,
    RateLimitedError,
    TransportError,
)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WAIT_INITIAL = 0.5
WAIT_MAX = 10.0
WAIT_JITTER = 1.0
QUICK_RETRY = 0.25  # before the second try of a refused first request


class Delivery(Enum):
    """What a transport failure says about whether the server saw the request."""

    UNSENT = "unsent"  # never reached the server: safe to resend anything
    AMBIGUOUS = "ambiguous"  # may have been processed: resend only what is repeatable
    HOPELESS = "hopeless"  # our own mistake: resending cannot help


_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_HOPELESS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def repeatable(
    method: str, path: str, *, idempotency_key: str | None, endpoint: Endpoint[Any] | None = None
) -> bool:
    """Whether sending the request twice does no more than sending it once: a keyed request
    replays; otherwise the endpoint's declaration says (`endpoints.py`)."""
    return bool(idempotency_key) or retry_safe(method, path, endpoint)


def delivery_of(exc: Exception) -> Delivery:
    if isinstance(exc, _UNSENT):
        return Delivery.UNSENT
    if isinstance(exc, _HOPELESS):
        return Delivery.HOPELESS
    return Delivery.AMBIGUOUS


def outcome_of(exc: Exception) -> str:
    """What a transport failure looks like to a person reading the attempts of a request."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "dropped connection"
    return type(exc).__name__


@dataclass
class Call:
    """One logical request, and what its attempts tell the retry decision."""

    method: str
    path: str
    params: dict[str, Any] | None
    body: Any
    headers: dict[str, str]
    expect: tuple[int, ...]
    repeatable: bool
    endpoint: EndpointClass
    started: float
    delivery: Delivery = Delivery.AMBIGUOUS
    retry_after: float | None = None  # of the last 503
    wait_next: float = 0.0  # to sleep before the next attempt
    # The first request of a run: a refused connection means a wrong --api-url or a server that
    # is not running, not a blip; give up after this many refusals (None: retry as usual).
    refusals_allowed: int | None = None
    refusals: int = 0
    outcomes: list[str] = field(default_factory=list)  # what each attempt met (errors.Attempts)
    attempts: int = 0  # sent so far (the backoff doubles with each)
    slot: int = 0  # the pacer's slot of the attempt in flight (`pacing.RateBucket.sync`)

    def new_attempt(self) -> None:
        self.attempts += 1
        self.delivery = Delivery.AMBIGUOUS
        self.retry_after = None


def decide(call: Call, exc: Exception, *, budget_left: float) -> bool | float:
    """stamina's backoff hook: False gives up, True backs off exponentially, 0.0 means the
    exact wait is ours (the pacer's hold after a 429, `call.wait_next` after a 503)."""
    if budget_left <= 0:
        return False  # every attempt is bounded by what is left: none is left
    if isinstance(exc, RateLimitedError):
        if exc.retry_after is None:
            return True
        return 0.0 if exc.retry_after <= budget_left else False
    if isinstance(exc, ApiServerError):
        if exc.code == "KILL_SWITCH":
            return False
        if exc.status == 503:
            if call.retry_after is None:
                return True
            if call.retry_after > budget_left:
                return False
            call.wait_next = call.retry_after
            return 0.0
        return call.repeatable
    if isinstance(exc, TransportError):
        if call.delivery is Delivery.HOPELESS:
            return False
        if call.refusals_allowed is not None and call.refusals:
            if call.refusals >= call.refusals_allowed:
                return False
            call.wait_next = QUICK_RETRY
            return 0.0
        return call.delivery is Delivery.UNSENT or call.repeatable
    return False
