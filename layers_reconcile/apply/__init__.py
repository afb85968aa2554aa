"""The executor: converge every customer, idempotent and resumable, emitting progress events.

    report = await execute(client, workspace, options=ApplyOptions(...), on_event=render)

Never prints, prompts or exits: the CLI shows the events and maps the report to an exit code.
"""

from layers_reconcile.apply.events import (
    ApplyEvent,
    ApplyReport,
    CustomerFinished,
    CustomerOutcome,
    CustomerStarted,
    CustomerStatus,
    EventSink,
    Failure,
    JobProgress,
    PersonDone,
    PersonWait,
    PostStatus,
    StepFailed,
    StepFinished,
    StepStarted,
    WaitingOnPerson,
)
from layers_reconcile.apply.executor import execute
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.durations import format_duration, parse_duration

__all__ = [
    "ApplyEvent",
    "ApplyOptions",
    "ApplyReport",
    "CustomerFinished",
    "CustomerOutcome",
    "CustomerStarted",
    "CustomerStatus",
    "EventSink",
    "Failure",
    "JobProgress",
    "PersonDone",
    "PersonWait",
    "PostStatus",
    "StepFailed",
    "StepFinished",
    "StepStarted",
    "WaitingOnPerson",
    "execute",
    "format_duration",
    "parse_duration",
]
