"""'Did you mean' suggestions for misspelt keys and values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], *, cutoff: float = 0.65) -> str | None:
    """The candidate closest to `word`, compared case-insensitively, or None."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` — did you mean 'x'?` or the empty string."""
    match = closest(word, candidates)
    return f" — did you mean '{match}'?" if match and match != word else ""
