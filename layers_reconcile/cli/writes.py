"""Writing a file of the user's (a customer file, layers.yaml) whole or not at all."""

from __future__ import annotations

import os
import shutil
from contextlib import suppress
from pathlib import Path


def write_whole(path: Path, text: str, *, newline: str | None = None) -> None:
    """`text` into `path`, written beside it first and then renamed over it: a disk that fills
    up (or is read-only) leaves the file as it was, never empty or cut short, and no new file.
    Through a link the file it leads to is replaced, keeping its permissions. A failure is an
    `OSError` naming `path` (a failed write's own error names no file)."""
    real = Path(os.path.realpath(path))
    temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "x", encoding="utf-8", newline=newline) as stream:
            stream.write(text)
        if real.exists():
            shutil.copymode(real, temp)
        os.replace(temp, real)
    except OSError as exc:
        with suppress(OSError):
            temp.unlink()
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
