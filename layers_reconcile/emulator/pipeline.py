"""What every /v1 request goes through, in order.

count → latency → fault (before the work) → authenticate → the organization it acts inside
(`orgs.resolve`: a child's key, or `X-Layers-Organization`) → rate limit → scope → advance the
world → Idempotency-Key (serialized per key; replay or 409) → handler → commit → fault (after
the work: the response is lost) → respond.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from layers_reconcile.emulator import orgs, tenancy
from layers_reconcile.emulator.common import JSON, canonical, digest, request_id
from layers_reconcile.emulator.dispatcher import IDEMPOTENCY_TTL, advance
from layers_reconcile.emulator.faults import DroppedResponse
from layers_reconcile.emulator.http import ApiError, Reply, envelope, idempotency_conflict
from layers_reconcile.emulator.queries import Q, parse_query
from layers_reconcile.emulator.ratelimit import Verdict
from layers_reconcile.emulator.revision import credential, encode_b
from layers_reconcile.emulator.state import ApiKey, Emulator
from layers_reconcile.emulator.validation import Issues, M, parse

log = logging.getLogger(__name__)
REQUEST_ID = "emulator.request_id"
MUTATING = ("POST", "PATCH", "PUT", "DELETE")


@dataclass
class Ctx:
    emu: Emulator
    request: Request
    params: dict[str, str]
    query: QueryParams
    body: Any
    key: ApiKey
    now: float
    request_id: str
    spec: RouteSpec
    org: str | None = None  # the child organization the request acts inside (None: the caller's)

    @property
    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")

    def issues(self) -> Issues:
        """An issue collector answering with the route's VALIDATION status."""
        return Issues(self.spec.invalid_status)

    def body_as(self, model: type[M], context: JSON | None = None) -> M:
        """The body validated by the model the route declares (and documents)."""
        assert model is self.spec.body, f"{self.spec.label} declares {self.spec.body}"
        return parse(model, self.body, status=self.spec.invalid_status, context=context)

    def query_as(self, model: type[Q]) -> Q:
        """The query validated by the model the route declares (and documents)."""
        assert model is self.spec.query, f"{self.spec.label} declares {self.spec.query}"
        return parse_query(model, self.query)


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: Handler
    scopes: tuple[str, ...] = ()
    endpoint_class: str = ""
    idempotent: bool = True
    # what the handler validates: its body and query models (also the OpenAPI document's)
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    invalid_status: int = 422
    # the API revisions serving this route (see revision.py), and the prefix Rev B gives the
    # bare `id`s of its answers (the route's own resource, e.g. `prj` on the project routes)
    revisions: tuple[str, ...] = ("a", "b")
    id_prefix: str = ""
    extra_errors: tuple[str, ...] = ()  # error statuses beyond the usual (OpenAPI)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def klass(self) -> str:
        if self.endpoint_class:
            return self.endpoint_class
        return "read-light" if self.method == "GET" else "write-light"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 304 or body is None:
        return Response(status_code=status, headers=headers)
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def error_response(err: ApiError, rid: str, headers: dict[str, str] | None = None) -> Response:
    merged = {**(headers or {}), **err.headers}
    return json_response(err.status, envelope(err.code, err.message, rid, err.details), merged)


def rid_of(scope: Scope) -> str:
    value = scope.get(REQUEST_ID)
    return value if isinstance(value, str) else request_id(0)


def _api_key_header(emu: Emulator, request: Request) -> str | None:
    headers = request.headers
    return credential(emu.revision, headers.get("x-api-key"), headers.get("authorization", ""))


def _pre_fault(kind: str) -> ApiError:
    if kind == "unavailable_503":
        return ApiError(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
    if kind == "rate_limited_429":
        return ApiError(
            429, "RATE_LIMITED", "Too many requests; retry later.", headers={"Retry-After": "1"}
        )
    return ApiError(500, "INTERNAL", "An internal error occurred.")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json_body(request: Request) -> Any:
    """The request's JSON body (None when empty); 400 VALIDATION when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        body = json.loads(raw, parse_constant=_no_constant)
        canonical(body).encode()  # a lone surrogate (\\ud800) is not text: it could not be stored
        return body
    except (ValueError, RecursionError):
        raise ApiError(
            400,
            "VALIDATION",
            "the request body is not valid JSON",
            {"issues": [{"path": "", "message": "is not valid JSON"}]},
        ) from None


def _run_handler(spec: RouteSpec, ctx: Ctx) -> Reply:
    try:
        with tenancy.acting_as(ctx.org or ctx.emu.root_org_id):
            return spec.handler(ctx)
    except ApiError:
        raise
    except Exception:
        log.exception("emulator handler %s failed", spec.label)
        raise ApiError(500, "INTERNAL", "An internal error occurred.") from None


async def _execute(emu: Emulator, spec: RouteSpec, request: Request, rid: str) -> Reply:
    key = emu.authenticate(_api_key_header(emu, request))
    if key is None:
        raise ApiError(401, "UNAUTHENTICATED", "A valid API key is required.")
    org = orgs.resolve(emu, key, request.headers.get(orgs.HEADER))
    # a parent key acting inside a child: its buckets and Idempotency-Keys per child, or shared
    inside = f"{key.id}/{org}" if org is not None and key.organization_id is None else key.id
    settings = emu.settings
    now = emu.clock.now()
    bucket = inside if settings.child_rate_buckets == "child" else key.id
    verdict = _admit(emu, spec, key, bucket, now)
    body = await read_json_body(request) if spec.method in MUTATING else None
    params = dict(request.path_params)
    ctx = Ctx(emu, request, params, request.query_params, body, key, now, rid, spec, org)
    idem = request.headers.get("idempotency-key")
    if not (idem and spec.idempotent and spec.method in MUTATING):
        advance(emu, now)
        reply = _run_handler(spec, ctx)
        reply.headers.update(verdict.headers)
        return reply
    namespace = inside if settings.child_idempotency == "child" else key.id
    return await _idempotent(ctx, idem, namespace, verdict)


def _admit(emu: Emulator, spec: RouteSpec, key: ApiKey, bucket: str, now: float) -> Verdict:
    """The rate limit first (a refused request is counted), then the key's scopes."""
    verdict = emu.limiter.check(bucket, spec.klass, now)
    if not verdict.allowed:
        emu.stats.count_refused(spec.klass)
        raise ApiError(
            429,
            "RATE_LIMITED",
            f"Rate limit of the {spec.klass} class exceeded; retry after {verdict.retry_after}s.",
            {"endpointClass": spec.klass, "retryAfter": verdict.retry_after},
            headers={"Retry-After": str(verdict.retry_after), **verdict.headers},
        )
    if not key.grants(spec.scopes):
        raise ApiError(
            403,
            "FORBIDDEN_SCOPE",
            f"This API key lacks the scope {spec.scopes[0]} required by {spec.label}.",
            {"requiredScopes": list(spec.scopes), "grantedScopes": list(key.scopes)},
        )
    return verdict


async def _idempotent(ctx: Ctx, idem: str, namespace: str, verdict: Verdict) -> Reply:
    """Runs the handler once per Idempotency-Key and body; replays its 2xx answer after."""
    emu, spec = ctx.emu, ctx.spec
    if len(idem) > 255:
        raise ApiError(
            422,
            "VALIDATION",
            "Idempotency-Key is too long",
            {"issues": [{"path": "Idempotency-Key", "message": "must be at most 255 characters"}]},
        )
    record_id = digest("idempotency", namespace, spec.label, idem)
    fingerprint = digest(spec.method, ctx.request.url.path, canonical(ctx.body))
    async with emu.serialized(record_id):
        now = ctx.now = emu.clock.now()
        advance(emu, now)
        record = emu.store.get("idem", record_id)
        if record is not None and now - record["_createdTs"] < IDEMPOTENCY_TTL:
            if record["fingerprint"] != fingerprint:
                raise idempotency_conflict(idem)
            headers = {**record["headers"], "Idempotent-Replayed": "true", **verdict.headers}
            return Reply(record["status"], json.loads(record["body"]), headers)
        reply = _run_handler(spec, ctx)
        if 200 <= reply.status < 300:
            emu.store.put(
                "idem",
                {
                    "id": record_id,
                    "fingerprint": fingerprint,
                    "status": reply.status,
                    "body": json.dumps(reply.body),
                    "headers": dict(reply.headers),
                    "_createdTs": now,
                },
            )
        reply.headers.update(verdict.headers)
        return reply


def make_endpoint(emu: Emulator, spec: RouteSpec) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        emu.stats.count(spec.label)
        held = emu.hold.past()
        if held is not None:  # after a test's stop point (hold.py): never carried out
            await emu.hold.wait(held)
            return DroppedResponse()
        held = emu.hold.arrive(spec.label)
        response = await answer(request)
        if held is not None:  # the stop point: carried out, its answer held, then dropped
            await emu.hold.wait(held)
            return DroppedResponse()
        return response

    async def answer(request: Request) -> Response:
        rid = rid_of(request.scope)
        headers = {"X-RateLimit-Endpoint-Class": spec.klass}
        if emu.settings.latency_ms:
            await asyncio.sleep(emu.settings.latency_ms / 1000)
        fault = emu.faults.draw()
        if fault is not None and fault.startswith(("error", "unavailable", "rate_limited")):
            return error_response(_pre_fault(fault), rid, headers)
        try:
            reply = await _execute(emu, spec, request, rid)
        except ApiError as err:
            emu.store.commit()
            if fault is not None:
                return _lost(fault, rid, headers)
            if emu.revision == "b":
                err.details = encode_b(err.details)
            return error_response(err, rid, headers)
        emu.store.commit()
        if fault is not None:
            return _lost(fault, rid, headers)
        body = encode_b(reply.body, spec.id_prefix) if emu.revision == "b" else reply.body
        return json_response(reply.status, body, {**headers, **reply.headers})

    return endpoint


def _lost(fault: str, rid: str, headers: dict[str, str]) -> Response:
    if fault == "lost_drop":
        return DroppedResponse()
    return error_response(ApiError(500, "INTERNAL", "An internal error occurred."), rid, headers)


def build_routes(emu: Emulator, specs: list[RouteSpec]) -> list[Route]:
    return [
        Route(spec.path, make_endpoint(emu, spec), methods=[spec.method], name=spec.label)
        for spec in specs
    ]


class RequestIdMiddleware:
    """Gives every request an id and every response an `X-Request-Id` header."""

    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(self.emu.clock.now())
        scope[REQUEST_ID] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)
