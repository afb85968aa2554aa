"""The last filter before anything is written: stdout, stderr and every file a command writes
(`plan --out`, `apply --report`, the GitHub step summary) pass through the `Redactor` of the
key the command was given. The client already redacts what the API sends; this catches
whatever else could carry the key on its way out.

The filter lives in the click context of the command (`ctx.meta`): it is installed when the
key is known and removed, with the original streams put back, when the command ends.
"""

from __future__ import annotations

import errno
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

from layers_reconcile.cli.exits import OutputFailed
from layers_reconcile.client.redaction import Redactor

_META = "layers_reconcile.redactor"
_GUARDED = "layers_reconcile.guarded"


@contextmanager
def _written() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise OutputFailed(exc.strerror or str(exc)) from exc


class _Redacting:
    """A text stream that writes through `redactor` (when there is one) to the stream it wraps;
    a failed write or flush is `OutputFailed`."""

    def __init__(self, inner: TextIO, redactor: Redactor | None) -> None:
        self._inner = inner
        self._redactor = redactor

    def write(self, text: str) -> int:
        with _written():
            self._inner.write(self._redactor.text(text) if self._redactor else text)
        return len(text)

    def flush(self) -> None:
        with _written():
            self._inner.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def _redacted_streams(redactor: Redactor | None) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _Redacting(saved[0], redactor)
    sys.stderr = _Redacting(saved[1], redactor)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def guard_output(ctx: click.Context, api_key: str | None) -> None:
    """From now until the command ends, redact `api_key` from stdout, stderr and `scrubbed`
    (a command's own --api-key adds to the global one). Without a key the streams are wrapped
    all the same, so that a failed write (a full disk) is `OutputFailed`, one error line."""
    key = (api_key or "").strip()
    known: dict[str, Redactor] = ctx.meta.setdefault(_META, {})
    digest = hashlib.sha256(key.encode()).hexdigest()  # the key itself is kept nowhere
    if not key:
        if not ctx.meta.get(_GUARDED):  # no key: only a failed write to catch
            ctx.meta[_GUARDED] = True
            ctx.with_resource(_redacted_streams(None))
        return
    if digest in known:
        return
    redactor = known[digest] = Redactor(key)
    ctx.with_resource(_redacted_streams(redactor))


def scrubbed(text: str) -> str:
    """`text` as a file written by the current command may hold it: the keys redacted."""
    ctx = click.get_current_context(silent=True)
    known: dict[str, Redactor] = ctx.meta.get(_META, {}) if ctx is not None else {}
    for redactor in known.values():
        text = redactor.text(text)
    return text
