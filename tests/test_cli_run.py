"""`cli.common.run`, the one event loop of a command."""

from __future__ import annotations

import pytest

from layers_reconcile.cli.common import run


class _Counted:
    """A result that counts how often its repr is made (a plan's costs a walk of all of it)."""

    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "_Counted()"


def test_run_gives_the_result_without_ever_writing_it_out() -> None:
    made = _Counted()

    async def planned() -> _Counted:
        return made

    assert run(planned()) is made
    assert made.reprs == 0  # asyncio.run made it twice on leaving (Python 3.11)


def test_run_raises_what_the_command_raised() -> None:
    async def failed() -> None:
        raise LookupError("no such customer")

    with pytest.raises(LookupError, match="no such customer"):
        run(failed())
