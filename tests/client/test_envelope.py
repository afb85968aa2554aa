from __future__ import annotations

import json

import httpx
import pytest

from layers_reconcile.client.envelope import Redactor, error_from_response, parse_retry_after
from layers_reconcile.errors import (
    ApiClientError,
    ApiError,
    ApiServerError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
)

from .conftest import API_KEY


def envelope(code: str, message: str = "m", **details: object) -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": message, "requestId": "req_9", "details": details}}
    ).encode()


def mapped(status: int, body: bytes, **headers: str) -> ApiError:
    return error_from_response(
        status,
        body,
        httpx.Headers(headers),
        method="POST",
        path="/v1/projects",
        redactor=Redactor(API_KEY),
    )


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION", ValidationError),
        (422, "VALIDATION", ValidationError),
        (401, "UNAUTHENTICATED", AuthError),
        (403, "FORBIDDEN_SCOPE", AuthError),
        (403, "APPROVAL_REQUIRED", ApiClientError),
        (403, "RETURN_URL_NOT_ALLOWED", ApiClientError),
        (404, "NOT_FOUND", NotFoundError),
        (409, "CONFLICT", ConflictError),
        (409, "IDEMPOTENCY_CONFLICT", ConflictError),
        (409, "CONTENT_REJECTED", ConflictError),
        (429, "RATE_LIMITED", RateLimitedError),
        (500, "INTERNAL", ApiServerError),
        (503, "KILL_SWITCH", ApiServerError),
        (418, "TEAPOT", ApiClientError),
    ],
)
def test_envelope_maps_to_one_error_class(status: int, code: str, cls: type[ApiError]) -> None:
    err = mapped(status, envelope(code, "human text", issues=[{"path": "name"}]))
    assert type(err) is cls
    assert (err.status, err.code, err.request_id) == (status, code, "req_9")
    assert err.details == {"issues": [{"path": "name"}]}
    assert err.message == "human text"
    assert str(err) == f"POST /v1/projects: {status} {code}: human text (requestId req_9)"


def test_policy_gate_403_is_not_an_auth_error() -> None:
    assert not isinstance(mapped(403, envelope("APPROVAL_REQUIRED")), AuthError)


def test_rate_limited_carries_retry_after_from_the_header() -> None:
    err = mapped(429, envelope("RATE_LIMITED"), **{"Retry-After": "7"})
    assert isinstance(err, RateLimitedError)
    assert err.retry_after == 7.0


def test_rate_limited_without_header_falls_back_to_details() -> None:
    err = mapped(429, envelope("RATE_LIMITED", retryAfter=3))
    assert isinstance(err, RateLimitedError)
    assert err.retry_after == 3.0


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>502 Bad Gateway</body></html>",
        b"",
        b"not json at all {",
        b'"just a string"',
        b'{"error": "flat string"}',
        b'{"error": {"code": 42}}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_bodies_without_the_envelope_still_map_by_status(body: bytes) -> None:
    err = mapped(502, body, **{"X-Request-Id": "req_hdr"})
    assert isinstance(err, ApiServerError)
    assert err.status == 502
    assert err.request_id == "req_hdr"
    assert "502" in str(err)


def test_request_id_falls_back_to_the_header() -> None:
    body = json.dumps({"error": {"code": "NOT_FOUND", "message": "gone"}}).encode()
    assert mapped(404, body, **{"X-Request-Id": "req_h"}).request_id == "req_h"


def test_the_key_is_redacted_from_message_and_details() -> None:
    err = mapped(401, envelope("UNAUTHENTICATED", f"bad key {API_KEY}", header=f"Bearer {API_KEY}"))
    assert API_KEY not in str(err)
    assert API_KEY not in repr(err)
    assert API_KEY not in repr(err.details)
    assert err.details == {"header": "Bearer ***"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 2.5 ", 2.5), ("0", 0.0), ("-3", 0.0), (None, None), ("soon", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
