"""The exit codes are a contract (CI branches on them): one enum, one mapping per outcome."""

from __future__ import annotations

from layers_reconcile.apply.events import ApplyReport, CustomerOutcome, CustomerStatus
from layers_reconcile.cli.exits import ExitCode, of_error, of_report
from layers_reconcile.errors import TransportError


def test_the_documented_numbers() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 130]


def report(*statuses: CustomerStatus) -> ApplyReport:
    return ApplyReport(outcomes=[CustomerOutcome(f"c{i}", s) for i, s in enumerate(statuses)])


def test_a_failed_or_stale_customer_outweighs_one_waiting_on_people() -> None:
    assert of_report(report()) is ExitCode.OK
    assert of_report(report(CustomerStatus.CONVERGED)) is ExitCode.OK
    assert of_report(report(CustomerStatus.WAITING, CustomerStatus.CONVERGED)) is ExitCode.WAITING
    assert of_report(report(CustomerStatus.WAITING, CustomerStatus.STALE)) is ExitCode.ERROR
    assert of_report(report(CustomerStatus.FAILED, CustomerStatus.WAITING)) is ExitCode.ERROR


def test_orphans_held_back_by_the_archive_cap_are_not_done() -> None:
    held = report(CustomerStatus.CONVERGED, CustomerStatus.WAITING)
    held.held_orphans = ["gone-001"]
    assert of_report(held) is ExitCode.ERROR


def test_ctrl_c_is_130_and_any_other_error_1() -> None:
    assert of_error(KeyboardInterrupt()) is ExitCode.INTERRUPTED
    assert of_error(TransportError("connection refused")) is ExitCode.ERROR
