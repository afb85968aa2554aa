"""Bounded decoding of an answer: its content coding and its JSON.

An answer is at most `limit` bytes as sent and at most `limit` bytes decoded: the decompressor
never produces more than what is left of the limit in one step, so a small compressed body
cannot grow past it in memory. At most one content coding (gzip or deflate) is accepted: no
API answer needs two, and stacking them is how a few KB become gigabytes. The JSON is at most
`MAX_DEPTH` arrays/objects deep, checked before parsing (a 100,000-deep array would exhaust
the parser's recursion).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import AsyncIterator
from typing import Any

ACCEPT_ENCODING = "gzip, deflate"
# The API's deepest answer is a project with metadata (YAML allows 64 levels) inside a page.
MAX_DEPTH = 128

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


class BodyRefused(Exception):
    """The body cannot be read within the limits; `reason` says why, as a user reads it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooDeep(ValueError):
    """The JSON nests arrays/objects deeper than `MAX_DEPTH`."""


def too_big(limit: int) -> BodyRefused:
    return BodyRefused(
        f"the body is over {limit // 1024 // 1024} MB (the limit); refused without reading the rest"
    )


class _Inflater:
    """One gzip/deflate layer, giving out no more than `left` bytes in all."""

    def __init__(self, coding: str, left: int) -> None:
        self._gzip = coding in ("gzip", "x-gzip")
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False
        self.left = left

    def feed(self, data: bytes) -> list[bytes]:
        if not self._started and not self._gzip and data:
            self._started = True
            try:
                return self._drain(data)
            except zlib.error:  # a "deflate" answer without the zlib header (raw deflate)
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._drain(data)

    def _drain(self, data: bytes) -> list[bytes]:
        pieces: list[bytes] = []
        while True:
            ask = self.left + 1
            piece = self._z.decompress(data, ask)
            self.left -= len(piece)
            if self.left < 0:
                raise OverflowError
            pieces.append(piece)
            data = self._z.unconsumed_tail
            if not data and len(piece) < ask:
                return pieces


def _codings(header: str) -> list[str]:
    names = [c.strip().lower() for c in header.split(",")]
    return [c for c in names if c and c != "identity"]


async def read_body(content_encoding: str, raw_chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The decoded body from its raw (still compressed) chunks: BodyRefused when it is over
    `limit` bytes as sent or decoded, compressed more than once, or compressed in a way we
    did not ask for."""
    codings = _codings(content_encoding)
    if len(codings) > 1:
        raise BodyRefused(
            f"the body is compressed {len(codings)} times (Content-Encoding: "
            f"{', '.join(codings)}); one content coding at most is accepted"
        )
    inflater: _Inflater | None = None
    if codings:
        if codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise BodyRefused(
                f"the body uses the content coding {codings[0]!r}, which was not asked for "
                f"(Accept-Encoding: {ACCEPT_ENCODING})"
            )
        inflater = _Inflater(codings[0], limit)
    chunks: list[bytes] = []
    sent = 0
    try:
        async for chunk in raw_chunks:
            sent += len(chunk)
            if sent > limit:
                raise too_big(limit)
            chunks += inflater.feed(chunk) if inflater is not None else [chunk]
        if inflater is not None:
            chunks += inflater.feed(b"")
    except OverflowError:
        raise too_big(limit) from None
    except zlib.error:
        raise BodyRefused(f"the body is not valid {codings[0]} data") from None
    return b"".join(chunks)


def nesting_depth(content: bytes, stop_after: int) -> int:
    """How deep arrays/objects nest in the JSON text `content` (strings skipped); counting
    stops once past `stop_after`, and 0 when it cannot get past it."""
    if content.count(b"[") + content.count(b"{") <= stop_after:
        return 0  # cannot nest deeper than it has brackets (the usual small answer)
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", content))
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > stop_after:
                break
    return deepest


def decode_json(content: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of `content`; TooDeep past `max_depth`, ValueError when not JSON."""
    if nesting_depth(content, max_depth) > max_depth:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels")
    try:
        return json.loads(content)
    except RecursionError:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels") from None
