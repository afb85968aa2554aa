"""Suite-wide fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# No property test fails on time alone: Hypothesis's default 200 ms deadline per example is a
# stall away on a loaded CI machine (a test then fails as "Unreliable test timings"). A real
# hang or blow-up still meets pytest-timeout.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

LoggingState = dict[str, tuple[int, list[logging.Handler]]]
CLI_LOGGERS = ("layers_reconcile", "stamina")


@pytest.fixture(scope="session")
def _default_logging() -> LoggingState:
    """The package's loggers as the session found them, before any fixture ran the CLI."""
    return {
        n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in CLI_LOGGERS
    }


@pytest.fixture(autouse=True)
def _isolate_cli_logging(_default_logging: LoggingState) -> Iterator[None]:
    """The CLI configures the package's loggers (level and a stderr handler) when a test (or a
    fixture of any scope) runs it in-process; undo that after every test so later tests see the
    default logging set-up."""
    yield
    for name, (level, handlers) in _default_logging.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


# What the developer's shell or a CI runner exports must not reach the code under test: a key or
# an API URL would change which API a test talks to, GITHUB_STEP_SUMMARY would collect every plan
# a test makes, GITHUB_ACTIONS would switch on the CI behaviour, a proxy (HTTPS_PROXY, no_proxy…)
# would send the tests' requests to loopback servers through it.
ISOLATED_PREFIXES = ("LAYERS_", "GITHUB_")


def outside_environment(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """The variables of `environ` the suite keeps away from the code it tests."""
    return sorted(
        name
        for name in environ
        if name.startswith(ISOLATED_PREFIXES) or name.lower().endswith("_proxy")
    )


@pytest.fixture(scope="session", autouse=True)
def _isolate_environment() -> Iterator[None]:
    """The whole session runs without LAYERS_* / GITHUB_* / *_PROXY: every fixture of any scope and every
    test, in-process and in the subprocesses they start (which inherit os.environ); a test that
    needs one sets it itself (monkeypatch.setenv, or a subprocess's env=)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in outside_environment(os.environ):
            patch.delenv(name)
        yield
