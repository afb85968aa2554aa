"""Suite-wide fixtures."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _isolate_cli_logging() -> Iterator[None]:
    """The CLI configures the package's loggers (level and a stderr handler) when a test runs it
    in-process; undo that after every test so later tests see the default logging set-up."""
    names = ("layers_reconcile", "stamina")
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in names}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers
