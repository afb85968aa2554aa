"""Deterministic ids: the same desired state always yields the same ids and idempotency keys.

Pure functions, shared by config, plan, apply and the client, so a rerun after a crash sends
exactly what the first run sent and the API recognises it (partner-supplied ids,
`Idempotency-Key` replay). This module imports nothing of the project: every layer may use it.
The one canonical JSON form (sorted keys, no spaces, UTF-8) and its sha256 live here too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

NS: UUID = uuid5(NAMESPACE_URL, "https://layers-reconcile/ids")


def project_id_for(customer_external_id: str) -> str:
    """The `id` sent when creating the project of `customer_external_id`."""
    return str(uuid5(NS, "project/" + customer_external_id))


def content_id_for(project_id: str, key: str) -> str:
    """The `id` (first container) sent when generating the content `key` of a project."""
    return str(uuid5(NS, f"content/{project_id}/{key}"))


def post_id_for(
    project_id: str,
    key: str,
    account: str,
    variant: int | str,
    entry_id: str | None = None,
    round: int = 0,
) -> str:
    """The `scheduledPostId` of one schedule entry (content key, account, variant, entry id).

    `round` counts the times the entry's post was canceled: round 0 is the first post's id, and
    an entry that comes back after its post was canceled is posted again under round 1, 2, ...
    """
    name = f"post/{project_id}/{key}/{account}/{variant}/{entry_id or ''}"
    return str(uuid5(NS, name if round == 0 else f"{name}/round/{round}"))


# One encoder for every call: `json.dumps` with options builds a new one each time.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
).encode


def canonical_json(value: Any) -> str:
    """The one canonical JSON text: sorted keys, no spaces, non-ASCII kept (hashed as UTF-8)."""
    return _CANONICAL(value)


def body_hash(body: Any) -> str:
    """sha256 (hex) of the canonical JSON of `body`."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def idempotency_key_for(customer: str, step: str, body: Any) -> str:
    """The `Idempotency-Key` of a mutating call: same customer, step and body, same key."""
    return str(uuid5(NS, f"{customer}/{step}/{body_hash(body)}"))


def transfer_key(workspace: str, customer: str, organization_id: str, transfer_id: str) -> str:
    """The `Idempotency-Key` of one transfer of one customer's child: the same on every run, so
    a repeat within the API's 24 h window replays instead of moving credits again."""
    return str(uuid5(NS, f"transfer/{workspace}/{customer}/{organization_id}/{transfer_id}"))


def child_round(archived: Iterable[str]) -> str:
    """Which child of a customer this is, named by the ids of the customer's archived children
    (stamped by the workspace): "" while none was archived, else a digest of the set of ids.

    A set, not a count: every archive (archive is terminal) makes a set never seen before, so
    the next child's keys were never sent; two runs reading the same children agree; a child
    archived between plan and apply, or an archived one the listing no longer shows, never
    brings back the keys of an earlier child (which the API replays for 24 h)."""
    ids = sorted(set(archived))
    if not ids:
        return ""
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:32]


def child_scope(customer: str, archived: Iterable[str]) -> str:
    """The name a customer's keys are derived from: the customer itself while none of its
    children was archived (today's keys, so a call in flight across an upgrade replays), else
    the customer and its `child_round`, so a new child replays nothing sent for an archived one."""
    round_ = child_round(archived)
    return customer if not round_ else f"{customer}/after/{round_}"


def organization_key(workspace: str, customer: str, archived: Iterable[str] = ()) -> str:
    """The `Idempotency-Key` that creates a customer's child organization: one per customer and
    `child_round` (a new one once its child was archived, never more)."""
    return str(uuid5(NS, f"organization/{workspace}/{child_scope(customer, archived)}"))
