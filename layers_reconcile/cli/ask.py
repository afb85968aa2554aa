"""The one question apply asks on a terminal ("Apply these changes? [y/N]"), where one Ctrl-C
stops the command at any moment.

Not `click.confirm`: it reads with `input()`, one blocking `read()` in C, which only a signal
arriving *during* the read interrupts (EINTR, and Python runs its handler). A Ctrl-C that lands
between the prompt being written and the read starting, or on another of the process's
threads, only sets Python's flag, and the read then waits for an answer forever (CI met it: the
process was killed after 30 s). Here the terminal is polled a quarter of a second at a time, in
Python, so a pending Ctrl-C is acted on within that quarter whenever it came.

The question is asked inside the command's event loop, whose own Ctrl-C handler only cancels
the main task and waits for the loop to run it, which the waiting never lets happen; while it
asks, Ctrl-C raises here instead."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
from typing import TextIO

import click

POLL = 0.25  # seconds: the longest a Ctrl-C that missed the read waits to be seen
LONGEST_ANSWER = 4096  # bytes: an answer is a word; a paste of a file is not read whole

YES = ("y", "yes")
NO = ("", "n", "no")  # an empty answer takes the default, no


def ask(question: str, stdin: TextIO | None = None) -> bool:
    """`question [y/N]: ` on stderr, read from `stdin` until yes or no; no by default.
    Ctrl-C raises KeyboardInterrupt (after ending the question's line); a closed stdin is
    `click.Abort` ("Aborted!"), as with `click.confirm`."""
    stream = sys.stdin if stdin is None else stdin
    interrupted = False

    def on_ctrl_c(signum: int, frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        if _ctrl_c_before():
            raise KeyboardInterrupt  # not a word of the question: "error: Interrupted." follows
        while True:
            click.echo(f"{question} [y/N]: ", nl=False, err=True)
            line = read_line(stream.fileno())
            if line is None:
                click.echo(err=True)
                raise click.Abort
            answer = line.strip().lower()
            if answer in YES:
                return True
            if answer in NO:
                return False
            click.echo("Error: invalid input", err=True)
    except KeyboardInterrupt:
        if not interrupted:
            raise  # not our handler: before the question, nothing of it on the line
        click.echo(err=True)  # "error: Interrupted." on a line of its own, not after the question
        raise
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_before() -> bool:
    """Whether a Ctrl-C came just before the question, while the plan was being printed: the
    event loop's handler (asyncio.run's) then only asked the command's task to cancel, which
    would happen at its next await, after an answer. A cancel pending on the running task in
    the middle of one of its steps comes from that handler: nothing else runs between them."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop: asked outside one
        return False
    return task is not None and task.cancelling() > 0


def read_line(fd: int) -> str | None:
    """One line from `fd` (without its newline), waiting in short polls; None at end of input.
    Read a byte at a time, so nothing after the line is taken from the stream."""
    got = bytearray()
    while True:
        readable, _, _ = select.select([fd], [], [], POLL)
        if not readable:
            continue  # a pending Ctrl-C runs its handler here, between two polls
        byte = os.read(fd, 1)
        if not byte:
            return got.decode(errors="replace") if got else None
        if byte == b"\n":
            return got.decode(errors="replace")
        if len(got) < LONGEST_ANSWER:
            got += byte
