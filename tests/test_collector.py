"""`collector.Pause`: no cyclic collection inside, the collector as it was after (see the module)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from layers_reconcile import collector


@pytest.fixture(autouse=True)
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_nothing_is_collected_inside_and_collection_resumes_after() -> None:
    with collector.Pause():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resume_ends_the_pause_early_and_once() -> None:
    with collector.Pause() as pause:
        pause.resume()
        assert gc.isenabled()
        gc.disable()  # someone else's choice from here on is not undone by the exit
    assert not gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector.Pause(freeze=True) as pause:
        pause.resume()
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_freeze_moves_what_was_built_out_of_reach_of_later_collections() -> None:
    frozen = gc.get_freeze_count()
    try:
        with collector.Pause(freeze=True):
            built = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= frozen + len(built)
    finally:
        gc.unfreeze()


def test_an_error_inside_still_resumes_collection() -> None:
    with pytest.raises(RuntimeError), collector.Pause():
        raise RuntimeError("boom")
    assert gc.isenabled()
