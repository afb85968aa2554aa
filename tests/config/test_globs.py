"""Customer-file globs: the meaning users write, matched without backtracking."""

from __future__ import annotations

import pytest

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
