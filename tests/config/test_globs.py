"""Customer-file globs: the meaning users write, matched without backtracking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers_reconcile.config.globs import GlobError, compile_glob


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("customers/**/*.yaml", "customers/a.yaml", True),
        ("customers/**/*.yaml", "customers/us/west/a.yaml", True),
        ("customers/**/*.yaml", "customers/a.yml", False),
        ("customers/**/*.yaml", "other/a.yaml", False),
        ("customers/archive/**", "customers/archive/old/a.yaml", True),
        ("customers/archive/**", "customers/archive", False),
        ("**", "a/b/c.yaml", True),
        ("**/*.yml", "c.yml", True),
        ("clients/*.yml", "clients/us/a.yml", False),
        ("clients/?.yml", "clients/a.yml", True),
        ("clients/?.yml", "clients/ab.yml", False),
        ("c/[ab]*.yaml", "c/b-1.yaml", True),
        ("c/[!ab]*.yaml", "c/b-1.yaml", False),
        ("c/[^ab]*.yaml", "c/x-1.yaml", True),
        ("c/[a-c]x.yaml", "c/bx.yaml", True),
        # File names with brackets are data: `[[]` is a plain `[`, a `[` that never closes is one.
        ("c/[[]z-a].yaml", "c/[z-a].yaml", True),
        ("c/[!].yaml", "c/[!].yaml", True),
        ("c/[]x].yaml", "c/x.yaml", True),
        ("c/[]x].yaml", "c/].yaml", True),
        ("c/*a*a*a*a*a*a*a*b", "c/" + "a" * 60, False),
    ],
)
def test_globs_mean_what_users_write(pattern: str, path: str, matches: bool) -> None:
    assert compile_glob(pattern).matches(path) is matches


@pytest.mark.timeout(60)
def test_thirty_double_stars_against_a_deep_path_do_not_backtrack() -> None:
    # The regex these globs used to become took minutes here (nested `(?:[^/]+/)*`).
    pattern = "customers/" + "**/" * 30 + "x.yaml"
    deep = "customers/" + "d/" * 25 + "y.yaml"
    assert not compile_glob(pattern).matches(deep)
    assert compile_glob(pattern).matches("customers/" + "d/" * 25 + "x.yaml")


def test_a_backwards_range_is_refused_with_what_to_write() -> None:
    with pytest.raises(GlobError, match=r"range 'z-a' backwards: write 'a-z' \(and '\[\[\]'"):
        compile_glob("customers/[z-a].yaml")


# -- property: the same answers as the plain regex translation, on patterns small enough for it --

segments = st.one_of(
    st.just("**"),
    st.text(alphabet="ab*?.", min_size=1, max_size=4),
)
names = st.text(alphabet="ab.", min_size=1, max_size=4)


def _reference(pattern: str) -> re.Pattern[str]:
    """What the globs meant when they were translated to one regex (backtracking, fine here)."""
    parts = pattern.split("/")
    out = []
    for i, segment in enumerate(parts):
        last = i == len(parts) - 1
        if segment == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        body = "".join(
            "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in segment
        )
        out.append(body + ("" if last else "/"))
    return re.compile("".join(out))


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.lists(segments, min_size=1, max_size=5).map("/".join),
    path=st.lists(names, min_size=1, max_size=6).map("/".join),
)
def test_matching_agrees_with_the_regex_translation(pattern: str, path: str) -> None:
    assert compile_glob(pattern).matches(path) == bool(_reference(pattern).fullmatch(path))


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.text(alphabet="[]!^-*?/az\\", min_size=1, max_size=30),
    path=st.text(alphabet="[]!^-az/", min_size=1, max_size=30),
)
def test_any_pattern_text_is_a_glob_or_a_glob_error(pattern: str, path: str) -> None:
    refused = ""
    try:
        glob = compile_glob(pattern)
    except GlobError as exc:
        refused = str(exc)
    if refused:
        assert "backwards" in refused
    else:
        assert glob.matches(path) in (True, False)


@settings(max_examples=50, deadline=None)
@given(stars=st.integers(1, 40), depth=st.integers(1, 40))
@pytest.mark.timeout(120)
def test_many_double_stars_against_deep_paths_stay_cheap(stars: int, depth: int) -> None:
    pattern = "c/" + "**/" * stars + "x.yaml"
    assert not compile_glob(pattern).matches("c/" + "d/" * depth + "y.yaml")
    assert compile_glob(pattern).matches("c/" + "d/" * depth + "x.yaml")
