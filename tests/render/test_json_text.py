"""The plan's JSON text is written by `render.json.indented`, which must be `json.dumps(value,
indent=2, ensure_ascii=False)` character for character: saved plans, goldens and the JSON a
script reads stay exactly what they were."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers_reconcile.render.json import indented

# Any text at all: lone surrogates, controls, separators, bidi marks, quotes, backslashes.
TEXT = st.text(st.characters(), max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
KEYS = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=30,
)


def dumped(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(VALUES)
@settings(max_examples=400, deadline=None)
def test_indented_is_json_dumps_with_indent_2(value: Any) -> None:
    assert indented(value) == dumped(value)


@pytest.mark.parametrize(
    "value",
    [{}, [], (), {"a": {}, "b": [], "c": [[], {}]}, "\ud800\u2028\x1b", float("nan"), -0.0],
)
def test_empty_containers_and_odd_scalars(value: Any) -> None:
    assert indented(value) == dumped(value)


@pytest.mark.parametrize("value", [{(1, 2): 1}, {"a": object()}, [{1j}]])
def test_what_json_refuses_is_refused_alike(value: Any) -> None:
    with pytest.raises(TypeError) as ours:
        indented(value)
    with pytest.raises(TypeError) as theirs:
        dumped(value)
    assert str(ours.value) == str(theirs.value)
