"""apply's question on a terminal (`cli.ask`): the answers it takes, and one Ctrl-C stopping
it whenever it comes. Real pipes and real signals, in-process."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click
import pytest

from layers_reconcile.cli.ask import ask, read_line
from tests.meanwhile import GUARD, main_thread_in, once


@contextmanager
def answering(data: bytes) -> Iterator[TextIO]:
    """A stdin that holds `data`, then ends."""
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    with os.fdopen(read_end) as stdin:
        yield stdin


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(b"y\n", True), (b"YES\n", True), (b" yes \n", True), (b"n\n", False), (b"\n", False)],
)
def test_the_answers_it_takes(
    typed: bytes, expected: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    with answering(typed) as stdin:
        assert ask("Apply these changes?", stdin) is expected
    assert capsys.readouterr().err == "Apply these changes? [y/N]: "


def test_it_asks_again_after_an_answer_it_does_not_know(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with answering(b"maybe\ny\n") as stdin:
        assert ask("Apply these changes?", stdin) is True
    err = capsys.readouterr().err
    assert err == "Apply these changes? [y/N]: Error: invalid input\nApply these changes? [y/N]: "


def test_it_reads_only_the_line_it_needs() -> None:
    with answering(b"y\nnext\n") as stdin:
        assert ask("Apply these changes?", stdin) is True
        assert stdin.read() == "next\n"


def test_a_closed_stdin_aborts(capsys: pytest.CaptureFixture[str]) -> None:
    with answering(b"") as stdin, pytest.raises(click.Abort):
        ask("Apply these changes?", stdin)
    assert capsys.readouterr().err.endswith("[y/N]: \n")


def test_a_ctrl_c_that_misses_the_read_still_stops_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The signal goes to another thread, as one arriving just before the read starts does in
    effect: the blocking read is never interrupted. click.confirm then waited for an answer
    forever (here: until the guard answers "n" a minute later; the pending Ctrl-C may then
    still raise, but only after that answer). The signal is sent once the question waits for
    its answer, not after a fixed time: on a loaded machine a timer could fire before `ask`
    had put its handler in place, and the KeyboardInterrupt then stopped the whole run."""
    previous = signal.getsignal(signal.SIGINT)
    read_end, write_end = os.pipe()
    # raise(3) on the watcher's own thread, once the main thread waits in `read_line`
    ctrl_c = once(main_thread_in(read_line.__code__), lambda: signal.raise_signal(signal.SIGINT))
    answered: list[bytes] = []

    def answer() -> None:  # only if the Ctrl-C did not stop the question
        answered.append(b"n\n")
        os.write(write_end, b"n\n")

    guard = threading.Timer(GUARD, answer)
    guard.start()
    try:
        with os.fdopen(read_end) as stdin, pytest.raises(KeyboardInterrupt):
            ask("Apply these changes?", stdin)
    finally:
        ctrl_c.cancel()
        ctrl_c.join()
        guard.cancel()
        guard.join()
        os.close(write_end)
    assert ctrl_c.acted
    assert answered == []  # the Ctrl-C stopped it, not the guard's answer after it
    assert capsys.readouterr().err == "Apply these changes? [y/N]: \n"
    assert signal.getsignal(signal.SIGINT) is previous  # the command's own handler is back


def test_a_ctrl_c_while_the_plan_is_printed_stops_it_before_the_question(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """apply asks inside its event loop, right after printing the plan: a Ctrl-C during that
    print reaches asyncio.run's handler, which only cancels the command's task at its next
    await. The question then waited for an answer first (here the guard's, a minute later)."""
    answered: list[bytes] = []
    read_end, write_end = os.pipe()

    def answer() -> None:  # only if the Ctrl-C did not stop the question
        answered.append(b"n\n")
        os.write(write_end, b"n\n")

    async def command() -> bool:
        signal.raise_signal(signal.SIGINT)  # while printing: asyncio.run's handler takes it
        with os.fdopen(read_end) as stdin:
            return ask("Apply these changes?", stdin)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in the CLI
    guard = threading.Timer(GUARD, answer)
    guard.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(command())
    finally:
        guard.cancel()
        guard.join()
        os.close(write_end)
        signal.signal(signal.SIGINT, previous)
    assert answered == []
    assert capsys.readouterr().err == ""  # not a word of the question
