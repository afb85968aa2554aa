"""`wire.request_url` builds exactly the URL httpx's `build_request` makes of a path and its
query parameters (the client takes the direct way for speed: it must never change a request)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers_reconcile.client.endpoints import ALL as ENDPOINTS
from layers_reconcile.client.wire import request_url

BASES = [
    "http://127.0.0.1:8080",
    "https://api.layers.com",
    "https://api.layers.com/",
    "https://gateway.example/layers",
    "https://user:p%40ss@gateway.example:8443/a/b/",
    "http://[::1]:9000",
    "https://ex%C3%A4mple.example:443/",
]
ODD_BASES = [
    "https://gateway.example/p?k=v",
    "https://gateway.example/p#frag",
    "https://gateway.example/p#",  # an empty fragment: httpx still joins after it
]

_segment_text = st.text(max_size=12)
_escaped = _segment_text.map(lambda t: quote(t, safe=""))
_raw = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_paths = st.lists(st.one_of(_escaped, _raw, st.sampled_from([".", "..", "%", "%2F", "a?b"])))
_values = st.one_of(st.text(max_size=10), st.integers(), st.booleans(), st.floats(allow_nan=False))
_params = st.one_of(st.none(), st.dictionaries(st.text(max_size=8), _values, max_size=4))


CLIENTS = {
    base: httpx.Client(base_url=base) for base in BASES + ODD_BASES
}  # sends nothing: never closed


def _slow(base: str, path: str, params: dict[str, Any] | None) -> httpx.URL:
    return CLIENTS[base].build_request("GET", path, params=params).url


@settings(max_examples=300, deadline=None)
@given(base=st.sampled_from(BASES + ODD_BASES), parts=_paths, params=_params)
def test_the_direct_url_is_the_one_httpx_builds(
    base: str, parts: list[str], params: dict[str, Any] | None
) -> None:
    path = "/" + "/".join(parts)
    direct = request_url(CLIENTS[base].base_url, path, params)
    if direct is not None:
        slow = _slow(base, path, params)
        assert direct.raw_path == slow.raw_path
        assert str(direct) == str(slow)


@pytest.mark.parametrize("base", BASES)
def test_every_declared_endpoint_takes_the_direct_way(base: str) -> None:
    """An id escaped by `segment` is always plain: the speed-up is not only for some paths."""
    for endpoint in ENDPOINTS:
        values = ["prj_01H Z/ü?#..", *("x" * 5)][: endpoint.template.count("{")]
        path = endpoint.path(*values)
        params = {"limit": 200, "cursor": "c/ü ?&=#"}
        direct = request_url(CLIENTS[base].base_url, path, params)
        assert direct is not None, path
        assert str(direct) == str(_slow(base, path, params))


def test_what_is_not_plain_is_left_to_httpx() -> None:
    base = httpx.URL("https://api.layers.com/")
    assert request_url(base, "/v1/a b", None) is None  # httpx escapes the space
    assert request_url(base, "/v1/x?y=1", None) is None  # httpx splits the query off
    assert request_url(base, "/v1/../x", None) is None  # a dot segment resolves
    assert request_url(base, "/v1/x", {}) is None  # an empty query: httpx's own choice
    assert request_url(base, "//evil.example/v1", None) is None  # httpx reads a host there
    for odd in ODD_BASES:
        assert request_url(httpx.URL(odd), "/v1/x", None) is None
