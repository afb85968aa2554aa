"""What a step handler returns, and small helpers the handlers share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from layers_reconcile.apply.context import CustomerContext, Gate
from layers_reconcile.plan.model import Step

# Where a person lands after a consent when the file names no returnUrl (allowed by the
# emulator; on the real API add it to the key's allowed return domains or set returnUrl).
DEFAULT_RETURN_URL = "http://127.0.0.1:8788/layers-reconcile/callback"


@dataclass
class StepResult:
    detail: str = ""
    gate: Gate | None = None  # a person must act; the executor watches the gate
    changed: bool = True  # False: the step turned out to have nothing to do


Handler = Callable[[CustomerContext, Step], Awaitable[StepResult]]


def first(*values: Any) -> Any:
    for v in values:
        if v is not None:
            return v
    return None


def address_parts(customer: str, address: str) -> list[str]:
    """`ID/content/KEY/schedule/tiktok` → ["content", "KEY", "schedule", "tiktok"]."""
    rest = address[len(customer) + 1 :] if address.startswith(customer + "/") else address
    return rest.split("/")


def content_key_of(customer: str, address: str) -> str | None:
    """`ID/content/KEY/...` → KEY."""
    parts = address_parts(customer, address)
    if len(parts) >= 2 and parts[0] == "content":
        return parts[1]
    return None


def iso(dt: Any) -> str:
    text: str = dt.isoformat().replace("+00:00", "Z")
    return text


def where(ctx: CustomerContext, *path: str | int) -> str:
    """`file:line:col` of a key of the customer's file (for errors about what the file says);
    the file alone when its positions are not known."""
    loaded = ctx.loaded
    if loaded is None:
        return ctx.customer
    source = getattr(loaded, "source", None)
    mark = getattr(source, "mark", None)
    if callable(mark):
        found = mark(tuple(path), key=True)
        return f"{found.file}:{found.line}:{found.col}"
    return str(loaded.path)
