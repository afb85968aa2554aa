"""Reading a workspace file safely, and decoding its bytes.

Only a regular file is read (never a FIFO or a device, never blocking), never by following a link
out of the workspace, and at most `MAX_FILE_BYTES` of it; the bytes are UTF-8 (a BOM allowed,
UTF-16 with a BOM too). Nothing here raises on bad input: every refusal says why.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

# Generous for real workspace files (a few KB), small enough that a hostile one cannot exhaust
# memory or time: the file is read at most this far.
MAX_FILE_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024


def read_bytes(
    path: Path, root: Path | None, *, limit: int = MAX_FILE_BYTES, real_root: str | None = None
) -> tuple[bytes | None, str]:
    """The bytes of `path`, or None and why it is refused. Never blocks, never reads past the cap
    (`limit`, `MAX_FILE_BYTES` unless said otherwise). `real_root`: `os.path.realpath(root)`,
    when the caller reading many files of one root has it already."""
    opened, problem = _open_regular(path, root, real_root)
    if opened is None:
        return None, problem
    fd, size_on_disk = opened
    try:
        if size_on_disk > limit:
            return None, _too_big(f"{size_on_disk / 1024 / 1024:.1f} MB", limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, _too_big(f"over {limit // 1024 // 1024} MB", limit)
        return b"".join(chunks), ""
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    finally:
        os.close(fd)


def read_head(path: Path, root: Path | None, size: int) -> bytes | None:
    """The first `size` bytes of `path` when it would be read as a workspace file, else None."""
    opened, _ = _open_regular(path, root)
    if opened is None:
        return None
    fd, _ = opened
    try:
        return os.read(fd, size)
    except OSError:
        return None
    finally:
        os.close(fd)


def _open_regular(
    path: Path, root: Path | None, real_root: str | None = None
) -> tuple[tuple[int, int] | None, str]:
    """An open descriptor of `path` and its size, when it is a regular file (reached without
    leaving `root`, whose real path is `real_root` when given); else None and why it is refused.
    Never blocks."""
    try:
        real = os.path.realpath(path)
        if root is not None and not inside(real, real_root or os.path.realpath(root)):
            return None, (
                "this is a link to a file outside the workspace, which is never read; "
                "replace the link with the file itself"
            )
        # O_NONBLOCK: opening a FIFO (or a link to /dev/stdin) must not wait for a writer.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, (
                "this link is part of a loop of links and never reaches a file; replace it "
                "with the file itself"
            )
        return None, f"cannot read the file: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        return None, f"cannot read the file: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None, (
            f"not a regular file (it is {_kind_of_file(info.st_mode)}); only plain files are "
            "read: replace it with a file"
        )
    return (fd, info.st_size), ""


def inside(real: str, real_root: str) -> bool:
    """Whether the real path `real` is `real_root` or below it (both as `os.path.realpath` gives
    them: absolute, normalised, links resolved)."""
    if real == real_root:
        return True
    return real.startswith(real_root if real_root.endswith(os.sep) else real_root + os.sep)


def _too_big(size: str, limit: int) -> str:
    said = f"the file is {size}; files over {limit // 1024 // 1024} MB are refused"
    if limit != MAX_FILE_BYTES:
        return said
    return f"{said} (a customer file is a few KB): split it or remove what does not belong"


def _kind_of_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"


def decode(raw: bytes) -> tuple[str | None, tuple[int, int, str] | None]:
    """UTF-8 (a BOM is allowed; UTF-16 with a BOM too), else the position of the first bad byte."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, (
                1,
                1,
                "the file starts with a UTF-16 mark but is not UTF-16; save it as UTF-8",
            )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return None, (
            line,
            col,
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it as UTF-8",
        )
