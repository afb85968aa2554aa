"""The one rule that keeps the API key out of everything the tool shows or writes.

No text carries the whole key nor a run of 8 consecutive characters of its secret part (after
`lp_<env>_<keyId>_`; the key id is public). Runs are found case-insensitively and across
invisible characters (zero-width spaces, joiners, soft hyphens, bidi marks, control characters):
a server cannot get the secret shown by re-casing it or by splitting it with characters a
reader does not see. The client applies the `Redactor` to every decoded answer and every error
field; the CLI applies it again to every stream and file it writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "***"
RUN = 8  # no output carries this many consecutive characters of the key's secret part
_KEY_PARTS = re.compile(r"lp_(?:live|test)_[^_]+_(?P<secret>.{8,})", re.DOTALL)
# Characters a reader does not see between two others: every control and format character
# (Unicode categories Cc and Cf: zero-width space and joiners, bidi marks, soft hyphen, word
# joiner, BOM, tags), the combining grapheme joiner, variation selectors and Hangul fillers.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)


# The escapes `json.dumps(..., ensure_ascii=False)` writes: C0 controls (dropped when undone:
# they are invisible) and the quote and backslash (kept). One pass, left to right, so an escaped
# backslash is never read as the start of another escape.
_JSON_ESCAPE = re.compile(r'\\(?:u00[01][0-9a-f]|[nrtbf])|\\(["\\])')


def _unescape(match: re.Match[str]) -> str:
    return match.group(1) or ""


def secret_part(api_key: str) -> str:
    """The part of the key that must never be shown: after `lp_<env>_<keyId>_` (the key id is
    public and log-safe), else the whole key (a key of another form is opaque)."""
    found = _KEY_PARTS.fullmatch(api_key)
    return found.group("secret") if found else api_key


def _holds_any(text: str, grams: frozenset[str], anchors: frozenset[str]) -> bool:
    # One substring search per gram (a few dozen) beats a regex alternation by far; the few
    # anchors (`_anchors`) rule most text out first, with a third of the searches.
    return any(piece in text for piece in anchors) and any(gram in text for gram in grams)


def _anchors(part: str) -> frozenset[str]:
    """Pieces of `part` of which every run of RUN characters holds one: around each multiple m
    of RUN, the RUN/2 characters after it and the RUN/2 before it. A run starting at p covers
    exactly one such m in p..p+RUN-1: when m <= p+RUN/2 it holds part[m:m+RUN/2], else (m > p +
    RUN/2) it holds part[m-RUN/2:m]. Text holding none of them holds no run."""
    half = RUN // 2
    after = [part[m : m + half] for m in range(0, len(part) - half + 1, RUN)]
    before = [part[m - half : m] for m in range(RUN, len(part) + 1, RUN)]
    return frozenset(after + before)


# The invisible characters of ASCII text (C0 controls and DEL), deleted by `str.translate`.
_ASCII_INVISIBLE = dict.fromkeys([*range(0x20), 0x7F])


def _folded(value: str) -> str:
    if value.isascii():  # most text: `translate` is far faster than the regex
        return value.translate(_ASCII_INVISIBLE).lower()
    return _INVISIBLE.sub("", value).lower()


class Redactor:
    """Replaces the API key wherever it could leak into text we keep: the whole key, and any
    run of 8 or more consecutive characters of its secret part (a server may echo a prefix)."""

    __slots__ = ("_anchors", "_grams", "_secret")

    def __init__(self, secret: str) -> None:
        # Closures rather than the strings themselves, so walking attributes never finds them.
        part = _folded(secret_part(secret))
        grams = frozenset(part[i : i + RUN] for i in range(len(part) - RUN + 1))
        anchors = _anchors(part) if grams else frozenset()
        self._secret: Callable[[], str] = lambda: secret
        self._grams: Callable[[], frozenset[str]] = lambda: grams
        self._anchors: Callable[[], frozenset[str]] = lambda: anchors

    def __repr__(self) -> str:
        return "Redactor(***)"

    def text(self, value: str) -> str:
        """`value` with the key and every run of its secret part replaced by `***`."""
        secret = self._secret()
        # A key shorter than a run is no secret this can keep (and replacing it would mangle).
        if len(secret) >= RUN and secret in value:
            value = value.replace(secret, REDACTED)
        grams = self._grams()
        if not grams or len(value) < RUN:
            return value
        if not _holds_any(_folded(value), grams, self._anchors()):
            return value
        return self._redact_runs(value, grams)

    @staticmethod
    def _redact_runs(value: str, grams: frozenset[str]) -> str:
        # The folded text, and for each of its characters the index it came from in `value`.
        folded: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(value):
            if _INVISIBLE.match(char):
                continue
            for lowered in char.lower():
                folded.append(lowered)
                origin.append(index)
        text = "".join(folded)
        spans: list[list[int]] = []
        for start in range(len(text) - RUN + 1):
            if text[start : start + RUN] in grams:
                first, last = origin[start], origin[start + RUN - 1] + 1
                if spans and first <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], last)
                else:
                    spans.append([first, last])
        pieces: list[str] = []
        cursor = 0
        for first, last in spans:
            pieces += [value[cursor:first], REDACTED]
            cursor = last
        pieces.append(value[cursor:])
        return "".join(pieces)

    def value(self, value: Any, source: str | None = None) -> Any:
        """A decoded JSON value with every string in it (keys too) redacted; the value itself
        when no string in it holds a run (checked at once on its JSON text, which is faster
        than walking it). `source`: the JSON text `value` was decoded from, if known."""
        if isinstance(value, dict | list) and not self._might_hold(value, source):
            return value
        return self._walk(value)

    def _might_hold(self, value: Any, source: str | None) -> bool:
        """Whether a string of `value` may hold a run: its JSON text, escapes undone (the
        controls they stand for are invisible, hence dropped), folded like `text` folds.

        A `source` without a backslash holds every string of the value as it is (only an escape
        differs from the string it stands for), so it is searched as it is, not dumped again;
        what lies between two strings only adds characters, never hides a run."""
        grams = self._grams()
        if not grams:  # a key shorter than a run: `text` leaves everything as it is
            return False
        if source is not None and "\\" not in source:
            return _holds_any(_folded(source), grams, self._anchors())
        try:
            dumped = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            return True
        return _holds_any(_folded(_JSON_ESCAPE.sub(_unescape, dumped)), grams, self._anchors())

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._walk(v) for v in value]
        return value
