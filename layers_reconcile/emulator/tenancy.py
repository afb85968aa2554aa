"""Which organization a request acts inside: the caller's own, or a child it names.

The pipeline resolves it once per request (`orgs.resolve`) and runs the handler inside
`acting_as(org_id)`; `Emulator.org_id` then answers that organization, so every data-plane
route creates, lists and finds inside it without knowing about organizations. Outside a request
(the dispatcher settling due work) nothing is set and the emulator sees every organization.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.store import Store

_CURRENT: ContextVar[str | None] = ContextVar("layers_emulator_org", default=None)


def current() -> str | None:
    """The organization the running request acts inside; None outside a request."""
    return _CURRENT.get()


@contextmanager
def acting_as(org_id: str | None) -> Iterator[None]:
    token = _CURRENT.set(org_id)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def owner(store: Store, kind: str, doc: JSON) -> str | None:
    """The organization a document belongs to: its project's; None for shared documents."""
    if kind == "project":
        org = doc.get("organizationId")
        return org if isinstance(org, str) else None
    project_id = doc.get("projectId")
    if not isinstance(project_id, str):
        return None
    project = store.get("project", project_id)
    return owner(store, "project", project) if project is not None else None


def visible(store: Store, kind: str, doc: JSON) -> bool:
    """Whether the running request may see `doc` (documents of other organizations are 404)."""
    org = current()
    if org is None:
        return True
    found = owner(store, kind, doc)
    return found is None or found == org
