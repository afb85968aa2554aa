"""Compressed answers are decoded within the 16 MB cap, layer by layer as they stream: a few KB
sent as `Content-Encoding: gzip, gzip` (4 GB once inflated twice) is refused, in bounded memory,
with the unexpected-shape error; one ordinary gzip or deflate layer still works."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.errors import UnexpectedAnswerError

from .hostile import WHOAMI, HostileApi, answer, one_customer_workspace

KEY = "lp_test_DECODEKEYID0001_decode-secret-part-0123456789abcdefghij"
PROJECT = {"id": "p1", "customerExternalId": "c", "name": "n"}
MB = 1024 * 1024


@cache
def gzip_of_zeros(megabytes: int) -> bytes:
    """A gzip member inflating to `megabytes` MB of zeros, built in milliseconds: after a full
    flush each further MB compresses to the same bytes. (Its trailer is not that of the whole;
    nothing reads that far.)"""
    zeros = bytes(MB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    return first + again * (megabytes - 1) + deflate.flush()


@pytest.fixture
def api() -> Iterator[HostileApi]:
    with HostileApi(routes={"/v1/whoami": WHOAMI}).running() as server:
        yield server


async def test_one_gzip_layer_is_decoded(api: HostileApi) -> None:
    body = gzip.compress(b'{"id": "p1", "customerExternalId": "c", "name": "n"}')
    api.routes["/v1/projects/p1"] = answer(200, body, **{"Content-Encoding": "gzip"})
    async with LayersClient(api.url, KEY) as client:
        assert (await client.get_project("p1")).raw() == PROJECT


async def test_one_deflate_layer_is_decoded_with_or_without_the_zlib_header(
    api: HostileApi,
) -> None:
    raw = b'{"id": "p1", "customerExternalId": "c", "name": "n"}'
    bare = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    for body in (zlib.compress(raw), bare.compress(raw) + bare.flush()):
        api.routes["/v1/projects/p1"] = answer(200, body, **{"Content-Encoding": "deflate"})
        async with LayersClient(api.url, KEY) as client:
            assert (await client.get_project("p1")).raw() == PROJECT


async def test_two_content_codings_are_refused(api: HostileApi) -> None:
    body = gzip.compress(gzip.compress(b'{"id": "p1"}'))
    api.routes["/v1/projects/p1"] = answer(200, body, **{"Content-Encoding": "gzip, gzip"})
    async with LayersClient(api.url, KEY) as client:
        with pytest.raises(UnexpectedAnswerError, match="compressed 2 times") as info:
            await client.get_project("p1")
    assert "the API answered an unexpected shape at GET /v1/projects/p1" in str(info.value)
    assert api.count("/v1/projects/p1") == 1  # not fetched again


async def test_a_coding_that_was_not_asked_for_is_refused(api: HostileApi) -> None:
    api.routes["/v1/projects/p1"] = answer(200, b"\x00", **{"Content-Encoding": "br"})
    async with LayersClient(api.url, KEY) as client:
        with pytest.raises(UnexpectedAnswerError, match="content coding 'br'"):
            await client.get_project("p1")


async def test_one_gzip_layer_past_the_cap_is_refused_in_bounded_memory(api: HostileApi) -> None:
    bomb = gzip_of_zeros(512)  # about 512 KB sent, 512 MB inflated
    api.routes["/v1/projects/p1"] = answer(200, bomb, **{"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        async with LayersClient(api.url, KEY) as client:
            with pytest.raises(UnexpectedAnswerError, match="the body is over 16 MB"):
                await client.get_project("p1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MB, peak  # the cap (16 MB) and some slack, never the inflated size


def test_stacked_gzip_from_a_real_server_is_refused_under_a_memory_limit(
    api: HostileApi, tmp_path: Path
) -> None:
    """The issue's repro: 3.5 KB, `gzip, gzip`, 4 GB once inflated. The real CLI runs with its
    address space capped at 2 GB: before, a MemoryError traceback; now exit 1, one message."""
    stacked = gzip.compress(gzip_of_zeros(4096), 9)
    assert len(stacked) < 16 * 1024  # about 10 KB
    api.routes["/v1/projects"] = answer(200, stacked, **{"Content-Encoding": "gzip, gzip"})
    workspace = one_customer_workspace(tmp_path, "bomb")
    limited = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3)); "
        "from layers_reconcile.cli.main import main; sys.argv[0] = 'layers-reconcile'; main()"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAYERS_", "GITHUB_"))}
    env.update(LAYERS_API_KEY=KEY, NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-c", limited, "--api-url", api.url, "plan", str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "MemoryError" not in done.stderr
    assert "the API answered an unexpected shape at GET /v1/projects" in done.stderr
    assert "compressed 2 times (Content-Encoding: gzip, gzip)" in done.stderr


def test_nesting_depth_skips_brackets_inside_strings() -> None:
    from layers_reconcile.client.decoding import nesting_depth

    assert nesting_depth(b'{"a": "[[[[[[", "b": [1, {"c": "]]]"}]}', 3) == 3
    assert nesting_depth(b'["\\"[[[", [[]]]', 3) == 3
    assert nesting_depth(b"[" * 1000, 10) == 11  # counting stops past the limit
    assert nesting_depth(b"[[1]]", 10) == 0  # fewer brackets than the limit: not counted
