"""One attempt over HTTP: the answer's body read within its limits, and what it means.

Pure of pacing and retries (`sending.py` decides those): the body is read as it streams and
refused past the limit, a success is decoded and redacted, any other status is mapped to the
typed error `retrying.decide` reads. Nothing here keeps the key: every text taken from the
answer or from an httpx exception passes through the `Redactor`.
"""

from __future__ import annotations

import httpx

from layers_reconcile.client.decoding import BodyRefused, TooDeep, decode_json, read_body, too_big
from layers_reconcile.client.envelope import error_from_response
from layers_reconcile.client.redaction import Redactor
from layers_reconcile.client.retrying import Call
from layers_reconcile.client.wire import Response
from layers_reconcile.errors import ApiError, TransportError, UnexpectedAnswerError
from layers_reconcile.printable import printable


class Refused(Exception):
    """The body could not be read within the limits (`decoding.BodyRefused`), with the status
    and headers it came with."""

    def __init__(self, status: int, headers: httpx.Headers, reason: str) -> None:
        self.status = status
        self.headers = headers
        self.reason = reason


async def fetch(
    http: httpx.AsyncClient, request: httpx.Request, max_body_bytes: int
) -> tuple[httpx.Response, bytes]:
    """The answer and its body, decoded as it streams and refused past `max_body_bytes`
    (as sent or decoded; see `decoding.read_body`)."""
    raw = await http.send(request, stream=True)
    try:
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body_bytes:
            raise too_big(max_body_bytes)
        if raw.is_stream_consumed:  # built in memory (a test transport): already decoded
            body = raw.content
            if len(body) > max_body_bytes:
                raise too_big(max_body_bytes)
        else:
            body = await read_body(
                raw.headers.get("content-encoding", ""), raw.aiter_raw(), max_body_bytes
            )
    except BodyRefused as exc:
        raise Refused(raw.status_code, raw.headers, exc.reason) from None
    finally:
        await raw.aclose()
    return raw, body


def request_id(redactor: Redactor, headers: httpx.Headers) -> str | None:
    """The answer's `X-Request-Id`, redacted and printable (None when absent)."""
    return printable(redactor.text(headers.get("x-request-id") or "")) or None


def transport_failure(
    call: Call, exc: Exception, redactor: Redactor, *, proxies: str = ""
) -> TransportError:
    """What an httpx failure becomes: its name and (redacted) text, never the exception itself
    (it holds the request, and so the key). `proxies`: the proxy variables the environment sets,
    named when no connection could be made (the proxy may be what did not answer)."""
    name = type(exc).__name__
    detail = redactor.text(str(exc))
    message = f"no usable answer: {name}" + (f" ({detail})" if detail else "")
    if proxies:
        message += f"; {proxies} set: check that proxy too"
    return TransportError(message, method=call.method, path=redactor.text(call.path))


def refused(call: Call, exc: Refused, redactor: Redactor) -> UnexpectedAnswerError:
    """An answer whose body could not be read within the limits."""
    return UnexpectedAnswerError(
        exc.reason,
        status=exc.status,
        method=call.method,
        path=redactor.text(call.path),
        request_id=request_id(redactor, exc.headers),
    )


def failure(
    call: Call, status: int, content: bytes, headers: httpx.Headers, redactor: Redactor
) -> ApiError:
    """The typed error of an answer whose status the call did not expect."""
    call.outcomes.append(str(status))
    if status < 400:
        return ApiError(
            f"unexpected HTTP {status}",
            status=status,
            method=call.method,
            path=redactor.text(call.path),
        )
    return error_from_response(
        status, content, headers, method=call.method, path=call.path, redactor=redactor
    )


def success(
    call: Call, status: int, content: bytes, headers: httpx.Headers, redactor: Redactor
) -> Response:
    """An expected answer, its JSON decoded; an unreadable body is an error."""
    # A server echoing the key (or a part of it, re-cased, \u-escaped, split by invisible
    # characters) must not get it shown: every decoded string and header is redacted.
    headers = redacted_headers(headers, redactor)
    if not content.strip():
        return Response(status, None, headers)
    problem: tuple[type[ApiError], str] | None = None
    try:
        text: str | None = content.decode()
    except UnicodeDecodeError:
        text = None  # not UTF-8 (json.loads reads UTF-16 and -32 too): searched as dumped again
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
            path=redactor.text(call.path),
            request_id=request_id(redactor, headers),
        )
    return Response(status, redactor.value(body, text), headers)


def redacted_headers(headers: httpx.Headers, redactor: Redactor) -> httpx.Headers:
    """`headers` with every value redacted: the same headers when no value holds anything to
    redact (checked at once on all values, one per line: a line break is invisible to the
    redactor, so two values run together, which may find too much but never too little)."""
    values = "\n".join(value for _, value in headers.multi_items())
    if redactor.text(values) == values:
        return headers
    return httpx.Headers([(name, redactor.text(value)) for name, value in headers.multi_items()])
