"""The one rule that keeps the API key out of everything the tool shows or writes.

No text carries the whole key nor a run of 8 consecutive characters of its secret part (after
`lp_<env>_<keyId>_`; the key id is public). Runs are found case-insensitively and across
invisible characters (zero-width spaces, joiners, soft hyphens, bidi marks, control characters):
a server cannot get the secret shown by re-casing it or by splitting it with characters a
reader does not see. The client applies the `Redactor` to every decoded answer and every error
field; the CLI applies it again to every stream and file it writes.
"""

from __future__ import annotations

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


def secret_part(api_key: str) -> str:
    """The part of the key that must never be shown: after `lp_<env>_<keyId>_` (the key id is
    public and log-safe), else the whole key (a key of another form is opaque)."""
    found = _KEY_PARTS.fullmatch(api_key)
    return found.group("secret") if found else api_key


def _folded(value: str) -> str:
    return _INVISIBLE.sub("", value).lower()


class Redactor:
    """Replaces the API key wherever it could leak into text we keep: the whole key, and any
    run of 8 or more consecutive characters of its secret part (a server may echo a prefix)."""

    __slots__ = ("_grams", "_secret")

    def __init__(self, secret: str) -> None:
        # Closures rather than the strings themselves, so walking attributes never finds them.
        part = _folded(secret_part(secret))
        grams = frozenset(part[i : i + RUN] for i in range(len(part) - RUN + 1))
        pattern = re.compile("|".join(re.escape(g) for g in sorted(grams))) if grams else None
        self._secret: Callable[[], str] = lambda: secret
        self._grams: Callable[[], tuple[frozenset[str], re.Pattern[str] | None]] = lambda: (
            grams,
            pattern,
        )

    def __repr__(self) -> str:
        return "Redactor(***)"

    def text(self, value: str) -> str:
        """`value` with the key and every run of its secret part replaced by `***`."""
        secret = self._secret()
        # A key shorter than a run is no secret this can keep (and replacing it would mangle).
        if len(secret) >= RUN and secret in value:
            value = value.replace(secret, REDACTED)
        grams, pattern = self._grams()
        if pattern is None or len(value) < RUN or not pattern.search(_folded(value)):
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

    def value(self, value: Any) -> Any:
        """A decoded JSON value with every string in it (keys too) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value
