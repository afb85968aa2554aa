"""Properties of what the client accepts from an answer: an id can never change a route, and the
depth check agrees with the real nesting of any JSON value."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers_reconcile.client.decoding import MAX_DEPTH, TooDeep, decode_json, nesting_depth
from layers_reconcile.client.wire import id_problem, segment
from layers_reconcile.errors import UnexpectedAnswerError


@given(st.text())
def test_an_accepted_id_is_exactly_one_path_segment(value: str) -> None:
    if id_problem(value) is not None:
        with pytest.raises(UnexpectedAnswerError):
            segment(value)
        return
    url = httpx.URL(f"http://api.test/v1/projects/{segment(value)}/content")
    assert url.path.startswith("/v1/projects/")
    assert url.path.endswith("/content")
    assert url.raw_path.count(b"/") == 4  # the id added one segment, no more, no less


@pytest.mark.parametrize("value", ["", ".", "..", "a\x00", "a\nb", "\x1b[2J", "x\u202ey", "\x9b"])
def test_ids_that_could_change_the_route_or_the_screen_are_refused(value: str) -> None:
    assert id_problem(value) is not None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(JSON)
def test_the_depth_check_counts_what_the_parser_would_nest(value: Any) -> None:
    raw = json.dumps(value).encode()
    for limit in range(depth(value) + 2):
        assert (nesting_depth(raw, limit) > limit) == (depth(value) > limit)
    assert decode_json(raw) == value


@settings(deadline=None)  # a 100,000-deep text takes a while to build on a busy machine
@given(st.integers(MAX_DEPTH + 1, 100_000), st.sampled_from(["[]", "{}"]))
def test_anything_deeper_than_the_limit_is_refused(levels: int, kind: str) -> None:
    if kind == "[]":
        raw = "[" * levels + "]" * levels
    else:
        raw = '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)
    with pytest.raises(TooDeep):
        decode_json(raw.encode())
