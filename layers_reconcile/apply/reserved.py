"""The tool's memory, kept in the API: `project.metadata["layersReconcile"]`.

PATCH replaces `metadata` whole, so every write is a read-modify-write that carries the user's
own keys along untouched. A change is written when what it records needs to be (`Keep`): a
job's id before the job is waited on, a link or a cancel by the end of its stage, a fact
needed to converge (the pinned influencer) by the end of the customer's run, and a fact the API
itself shows again after a crash (a job's end) only along with the next write. Writes for one customer are serialised by a lock in the caller; two
processes racing can at worst lose a bookkeeping entry, which the next run re-derives from the
deterministic ids (no duplicate can come of it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from enum import IntEnum
from typing import Any, cast

from layers_reconcile.plan.ids import LAST_APPLIED, RESERVED_KEY
from layers_reconcile.records import ContentRecord, Project, ReservedRecord

RESERVED_VERSION = 1

# What apply reads and writes: mypy checks every key a mutation sets against the record.
Reserved = ReservedRecord


class Keep(IntEnum):
    """By when a change to the record must be written (each level includes the ones below)."""

    # The API shows it again after a crash (a job's end, its failure code): rides along with
    # the next write.
    LAZY = 0
    # Needed to converge, re-derived by a rerun after a crash (the pinned influencer, an
    # ingest's end): written by the end of the customer's run.
    RUN = 1
    # Must survive a crash, but not before the stage's other steps ran (a link a person was
    # shown): written once when the stage's batch ends.
    STAGE = 2
    # Must survive a crash before the next request (a job's id before it is waited on, a post
    # about to be canceled): written at once.
    NOW = 3


def same_record(a: Reserved, b: Reserved) -> bool:
    """Equal but for when an apply last wrote them."""
    return {k: v for k, v in a.items() if k != LAST_APPLIED} == {
        k: v for k, v in b.items() if k != LAST_APPLIED
    }


def reserved_of(project: Project | None) -> Reserved:
    """A copy of the reserved entry of a project row (empty when the tool never wrote one)."""
    metadata = (project.metadata if project else None) or {}
    value = metadata.get(RESERVED_KEY)
    return cast(Reserved, copy.deepcopy(value)) if isinstance(value, dict) else {}


def user_metadata(project: Project | None) -> dict[str, Any]:
    metadata = (project.metadata if project else None) or {}
    return {k: copy.deepcopy(v) for k, v in metadata.items() if k != RESERVED_KEY}


def with_reserved(user: dict[str, Any], reserved: Reserved) -> dict[str, Any]:
    """The whole `metadata` object to send: the user's keys plus ours."""
    out = dict(user)
    out.pop(RESERVED_KEY, None)
    if reserved:
        out[RESERVED_KEY] = reserved
    return out


def mutated(
    project: Project,
    mutate: Callable[[Reserved], None],
    *,
    applied_at: str | None = None,
) -> tuple[Reserved, dict[str, Any] | None]:
    """Apply `mutate` to the project's reserved entry; a real change also records `applied_at`
    (what a plan shows as an orphan's last apply).

    Returns the new entry and the metadata to PATCH, or None when nothing changed.
    """
    before = reserved_of(project)
    after = copy.deepcopy(before)
    mutate(after)
    after.setdefault("v", RESERVED_VERSION)
    if after == before:
        return after, None
    if applied_at is not None:
        after[LAST_APPLIED] = applied_at
    return after, with_reserved(user_metadata(project), after)


def content_entry(reserved: Reserved, key: str) -> ContentRecord:
    """The mutable bookkeeping of one content key (created on first use)."""
    return reserved.setdefault("content", {}).setdefault(key, {})
