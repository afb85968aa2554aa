"""Every duration the tool reads or writes, in one place. Two wordings, for two different things:

- `parse_duration` / `format_duration`: a measured time, as on the command line and in progress
  lines: `30s`, `3m05s`, `1h02m` (`--timeout 10m`; "generating 1m12s of ~5m30s"; "in 4m10s").
- `estimate_text` / `estimate_span_text` / `converge_text`: an estimate from documented job
  durations, shown in a plan: rounded up to whole minutes and spaced like prose (`~5 min`,
  `3–5 min`, `~1 h 5 min`), so that nobody reads a guess as a measurement.
"""

from __future__ import annotations

import math
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in `text`; a bare number is seconds. Raises ValueError with the accepted forms."""
    s = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    pos = 0
    total = 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f"{text!r} is not a duration; write it like 30s, 10m, 1h or 1h30m")
    return total


def format_duration(seconds: float) -> str:
    """Short human form: 45s, 3m05s, 1h02m."""
    if seconds < 60:
        return f"{seconds:.0f}s" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def estimate_text(seconds: float) -> str:
    """An expected duration: `45 s`, `5 min`, `2.5 min` (a half minute is kept), `7 min`."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:g} min" if seconds % 30 == 0 else f"{math.ceil(seconds / 60)} min"


def estimate_span_text(low: float, high: float) -> str:
    """A documented range: `~5 min` when both ends agree, else `30–90 s` or `3–5 min`."""
    if low == high:
        return "~" + estimate_text(low)
    if high < 120:
        return f"{low:.0f}–{high:.0f} s"
    return f"{low / 60:g}–{high / 60:g} min"


def converge_text(seconds: float) -> str:
    """The expected time to converge a plan: `no jobs`, `~90 s`, `~7 min`, `~2 h 5 min`."""
    if seconds <= 0:
        return "no jobs"
    if seconds < 120:
        return f"~{seconds:.0f} s"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"~{minutes} min"
    return f"~{minutes // 60} h {minutes % 60} min"
