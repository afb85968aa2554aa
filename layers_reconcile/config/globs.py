"""Globs over `/`-separated paths, matched without backtracking.

`**` is any folders (or none; last, it is everything below), `*` any characters within one name,
`?` one character, `[...]` a class (`[!...]` or `[^...]` negated, `a-z` a range, a `]` first in
the class a member; a `[` with no closing `]` is a plain `[`). A pattern in `layers.yaml` can be
planted by a pull request, so matching never backtracks: the path's names are matched against
all the pattern's positions at once (at most segments × names steps), and one name against one
segment in at most len(segment) × len(name) steps. File names are only ever data here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache


class GlobError(ValueError):
    """A pattern that cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class _Class:
    ranges: tuple[tuple[str, str], ...]
    negated: bool

    def has(self, char: str) -> bool:
        return any(low <= char <= high for low, high in self.ranges) != self.negated


_STAR = "*"  # a token: any characters within the name
_ONE = "?"  # a token: one character
_Token = tuple[str, str] | _Class  # ("lit", c) | (_STAR|_ONE, "") | a class


@dataclass(frozen=True)
class _Name:
    """One segment without `/`: matches one name."""

    tokens: tuple[_Token, ...]
    # The segment is `*` and then plain characters (`*.yaml`): a name matches when it ends so.
    suffix: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first, rest = self.tokens[:1], self.tokens[1:]
        plain = all(isinstance(t, tuple) and t[0] == "lit" for t in rest)
        suffix = "".join(t[1] for t in rest if isinstance(t, tuple)) if plain else None
        object.__setattr__(self, "suffix", suffix if first == ((_STAR, ""),) else None)

    def matches(self, name: str) -> bool:
        if self.suffix is not None:
            return name.endswith(self.suffix)
        # Wildcard matching that resumes only from the last `*` seen: never exponential.
        tokens = self.tokens
        t = n = 0
        star_t = star_n = -1
        while n < len(name):
            token = tokens[t] if t < len(tokens) else None
            if isinstance(token, tuple) and token[0] == _STAR:
                star_t, star_n = t, n
                t += 1
            elif token is not None and _takes(token, name[n]):
                t += 1
                n += 1
            elif star_t >= 0:
                star_n += 1
                t, n = star_t + 1, star_n
            else:
                return False
        return all(isinstance(tok, tuple) and tok[0] == _STAR for tok in tokens[t:])


def _takes(token: _Token, char: str) -> bool:
    if isinstance(token, _Class):
        return token.has(char)
    kind, literal = token
    return kind == _ONE or literal == char


@dataclass(frozen=True)
class Glob:
    pattern: str
    # One entry per `/`-separated segment; None is `**`.
    segments: tuple[_Name | None, ...]

    def matches(self, relative: str) -> bool:
        """Whether `relative` (a path below the workspace root, `/`-separated) matches."""
        end = len(self.segments)
        states = self._skip({0})
        for name in relative.split("/"):
            following: set[int] = set()
            for i in states:
                if i == end:
                    continue
                segment = self.segments[i]
                if segment is None:
                    following.add(i)
                    if i == end - 1:
                        following.add(end)
                elif segment.matches(name):
                    following.add(i + 1)
            states = self._skip(following)
            if not states:
                return False
        return end in states

    def _skip(self, states: set[int]) -> set[int]:
        """`states` and the positions after each `**` that takes no folder (a last `**` takes
        at least one name: `customers/**` is what is below customers/)."""
        out = set(states)
        pending = list(states)
        while pending:
            i = pending.pop()
            if i < len(self.segments) - 1 and self.segments[i] is None and i + 1 not in out:
                out.add(i + 1)
                pending.append(i + 1)
        return out


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> Glob:
    """The glob of `pattern`; `GlobError` when a class in it cannot be read."""
    segments = tuple(
        None if segment == "**" else _Name(_tokens(segment, pattern))
        for segment in pattern.strip("/").split("/")
    )
    return Glob(pattern, segments)


def matches_any(relative: str, patterns: tuple[str, ...]) -> bool:
    return any(compile_glob(p).matches(relative) for p in patterns)


def _tokens(segment: str, pattern: str) -> tuple[_Token, ...]:
    out: list[_Token] = []
    i = 0
    while i < len(segment):
        c = segment[i]
        if c in (_STAR, _ONE):
            if not (c == _STAR and out and out[-1] == (_STAR, "")):
                out.append((c, ""))
        elif c == "[":
            parsed = _class(segment, i + 1, pattern)
            if parsed is not None:
                token, i = parsed
                out.append(token)
                continue
            out.append(("lit", c))
        else:
            out.append(("lit", c))
        i += 1
    return tuple(out)


def _class(segment: str, start: int, pattern: str) -> tuple[_Class, int] | None:
    """The class opened just before `start`, and where it ends; None when it never closes."""
    i = start
    negated = i < len(segment) and segment[i] in "!^"
    if negated:
        i += 1
    body_start = i
    if i < len(segment) and segment[i] == "]":
        i += 1  # a `]` first is a member
    close = segment.find("]", i)
    if close < 0:
        return None
    body = segment[body_start:close]
    ranges: list[tuple[str, str]] = []
    j = 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            low, high = body[j], body[j + 2]
            if low > high:
                raise GlobError(
                    f"the class '{segment[start - 1 : close + 1]}' in '{pattern}' has the range "
                    f"'{low}-{high}' backwards: write '{high}-{low}' (and '[[]' for a plain '[')"
                )
            ranges.append((low, high))
            j += 3
        else:
            ranges.append((body[j], body[j]))
            j += 1
    return _Class(tuple(ranges), negated), close + 1
