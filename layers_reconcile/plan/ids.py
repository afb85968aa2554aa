"""Identifier helpers of the diff. The deterministic ids and canonical JSON live in `layers_reconcile.ids`.

`brief_hash` is what apply records under `content.KEY.briefHash` when it generates, and what the
diff compares to decide on a regenerate: both sides must use this one function.
"""

from __future__ import annotations

import re
from typing import Any, Final

from layers_reconcile.config.fieldtypes import RESERVED_METADATA_KEY as RESERVED_KEY
from layers_reconcile.ids import (
    body_hash,
    canonical_json,
    content_id_for,
    post_id_for,
    project_id_for,
)
from layers_reconcile.instants import parse_instant
from layers_reconcile.records import Project

# Reserved-key entry: the posts this tool canceled (bare ids, newest last), so that a post
# canceled by someone else is told apart from one the tool canceled itself.
CANCELED_KEY: Final = "canceledPosts"

# In the reserved key: when an apply of the workspace last wrote the project's record.
LAST_APPLIED: Final = "lastAppliedAt"


def customer_of_project(project: Project) -> str:
    """The customer a project answers to, as plan names its orphan and apply checks it before
    archiving: its customerExternalId, else its own id."""
    return project.customer_external_id or project.id


__all__ = [
    "CANCELED_KEY",
    "LAST_APPLIED",
    "RESERVED_KEY",
    "bare_id",
    "brief_hash",
    "canonical_json",
    "content_id_for",
    "customer_of_project",
    "parse_instant",
    "post_id_for",
    "project_id_for",
    "same_id",
    "schedule_suffix",
]

_PREFIX = re.compile(r"^[a-z]+_(?=[0-9A-Za-z-]{8,}$)")


def bare_id(value: Any) -> str | None:
    """`sp_0f…` and `0f…` name the same resource: the API accepts and emits both forms."""
    if value is None:
        return None
    return _PREFIX.sub("", str(value)).lower()


def same_id(a: Any, b: Any) -> bool:
    return a is not None and b is not None and bare_id(a) == bare_id(b)


def brief_hash(brief: dict[str, Any]) -> str:
    """Hash of a brief as the file writes it (unset fields left out): `sha256:<hex>`."""
    return "sha256:" + body_hash(brief)


def schedule_suffix(entry_id: str | None, account: str, variant: int) -> str:
    """The tail of a schedule entry's address: its `id:`, else `ACCOUNT` or `ACCOUNT/vN`."""
    return entry_id or (account + (f"/v{variant}" if variant > 1 else ""))
