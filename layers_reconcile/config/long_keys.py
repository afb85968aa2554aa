"""A key past YAML's length limit, named as such: the parser only says it cannot go on."""

from __future__ import annotations

import re

from layers_reconcile.config.quoting import short

# YAML reads a key written on one line (a "simple key") only up to so many characters: past it,
# the parser says "could not find expected ':'" (or another error) far along the line.
MAX_KEY = 1024
_ERRORS = ("could not find expected ':'", "mapping values are not allowed here")
_KEY_STARTS = re.compile(r"^[ \t]*(?:[-?][ \t]+)*|[{\[,][ \t]*")
_KEY_END = re.compile(r":(?=[ \t,\]}]|$)")


def too_long_key(problem: str, text: str, line_index: int) -> tuple[int, str] | None:
    """(1-based column, message) of the key over `MAX_KEY` characters on the 0-based line of a
    syntax error whose `problem` is the parser giving up on it; None for any other error. A key
    starts the line (after `- ` or `? `) or follows `{`, `[` or `,`, and ends at the first `:`
    before a space."""
    if problem not in _ERRORS and not problem.startswith("expected ',' or"):
        return None
    lines = text.split("\n", line_index + 1)
    if line_index >= len(lines):
        return None
    line = lines[line_index].rstrip("\r")
    for start in _KEY_STARTS.finditer(line):
        end = _KEY_END.search(line, start.end() + 1)
        if end is None:
            continue
        key = line[start.end() : end.start()].rstrip()
        if len(key) > MAX_KEY and key[0] not in "{[":
            return start.end() + 1, (
                f"the key '{short(key)}' is {len(key):,} characters long: YAML reads a key "
                f"written on one line only up to {MAX_KEY:,} characters, and no key of a "
                "workspace file is that long; write it shorter"
            )
    return None
