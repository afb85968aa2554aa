"""How a message quotes what the user wrote: never all of it (a key or a value may be 1 MB)."""

from __future__ import annotations

SHORT = 60  # a key or a value quoted in a message: longer ones are cut


def short(text: str) -> str:
    """`text` as a message quotes it: at most `SHORT` characters."""
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."
