"""One rule for showing untrusted text: every character a terminal or a reader could act on is
escaped, never dropped, so what was received stays visible and cannot move the cursor, clear the
screen, set a window title, split a `file:line:col` line or reorder what is shown.

Escaped: C0 controls (NUL..US, including tab, newline and ESC), DEL, C1 controls (U+0080..U+009F,
`\\x9b` is a one-byte CSI), the line and paragraph separators, bidi embedding/override/isolate
marks and lone surrogates. Everything else, letters of any script and emoji included, is shown as
is. This module imports nothing of the project: every layer may use it.
"""

from __future__ import annotations

import re

# Bidi marks and overrides (U+200E/F, U+202A-E, U+2066-9, U+061C) reorder what follows them.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(s: str) -> str:
    """`s` with every control, separator and bidi character escaped as `\\xNN` or `\\uNNNN`."""
    return _UNPRINTABLE.sub(_escape, s)
